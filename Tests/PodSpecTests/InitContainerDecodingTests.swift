import PodSpec
import Testing

/// `spec.initContainers` and their `restartPolicy`, with the API server's rules and messages
/// (pkg/apis/core/validation/validation.go `validateInitContainers`, `validateContainers`).
@Suite struct InitContainerDecodingTests {
    /// The Kubernetes documentation's "Init Containers" example (myapp-pod), with a sidecar added.
    static let myapp = """
        apiVersion: v1
        kind: Pod
        metadata:
          name: myapp-pod
          labels:
            app.kubernetes.io/name: MyApp
        spec:
          containers:
          - name: myapp-container
            image: busybox:1.28
            command: ['sh', '-c', 'echo The app is running! && sleep 3600']
          initContainers:
          - name: init-myservice
            image: busybox:1.28
            command: ['sh', '-c', "until nslookup myservice; do echo waiting for myservice; sleep 2; done"]
          - name: logshipper
            image: busybox:1.28
            restartPolicy: Always
            command: ['sh', '-c', 'tail -F /opt/logs.txt']
            startupProbe:
              exec: {command: ["true"]}
            readinessProbe:
              exec: {command: ["true"]}
        """

    @Test func initContainersAndSidecarsDecodeInOrder() throws {
        let pod = try #require(try PodFile.parse(Self.myapp, file: "/pods/myapp.yaml").first)
        #expect(pod.spec.initContainers.map(\.name) == ["init-myservice", "logshipper"])
        #expect(pod.spec.initContainers.map(\.isRestartableInit) == [false, true])
        #expect(pod.spec.sidecars.map(\.name) == ["logshipper"])
        #expect(pod.spec.initContainers[1].startupProbe != nil)
        #expect(pod.spec.initContainers[0].image.resolved == "/pods/busybox:1.28")
        #expect(pod.spec.role(of: "init-myservice") == .initContainer)
        #expect(pod.spec.role(of: "logshipper") == .sidecar)
        #expect(pod.spec.role(of: "myapp-container") == .app)
        #expect(pod.spec.probedContainers.map(\.name) == ["logshipper", "myapp-container"])
        #expect(pod.spec.everyContainer.map(\.path) == ["spec.initContainers[0]", "spec.initContainers[1]", "spec.containers[0]"])
    }

    static func initContainer(_ fields: String) -> String {
        Manifest.pod(spec: """
            initContainers:
            - name: setup
              image: rootfs
            \(fields.split(separator: "\n").map { "  " + $0 }.joined(separator: "\n"))
            """)
    }

    static let cases: [Case] = [
        Case("liveness probe on a regular init container", initContainer("livenessProbe: {exec: {command: [\"true\"]}}"),
             "spec.initContainers[0].livenessProbe: Forbidden: may not be set for init containers without restartPolicy=Always"),
        Case("readiness and startup probes on a regular init container", initContainer("""
            readinessProbe: {exec: {command: ["true"]}}
            startupProbe: {exec: {command: ["true"]}}
            """),
             "spec.initContainers[0].readinessProbe: Forbidden: may not be set for init containers without restartPolicy=Always",
             "spec.initContainers[0].startupProbe: Forbidden: may not be set for init containers without restartPolicy=Always"),
        Case("restartPolicy other than Always", initContainer("restartPolicy: OnFailure"),
             "spec.initContainers[0].restartPolicy: Unsupported value: \"OnFailure\": supported values: \"Always\""),
        Case("a name an app container has", Manifest.pod(spec: """
            initContainers:
            - name: app
              image: rootfs
            """), "spec.initContainers[0].name: Duplicate value: \"app\""),
        Case("two init containers of one name", Manifest.pod(spec: """
            initContainers:
            - name: setup
              image: rootfs
            - name: setup
              image: rootfs
            """), "spec.initContainers[1].name: Duplicate value: \"setup\""),
        Case("init container without image", Manifest.pod(spec: """
            initContainers:
            - name: setup
            """), "spec.initContainers[0].image: Required value"),
        Case("restartPolicy on an app container", Manifest.pod(container: "restartPolicy: Always"),
             "spec.containers[0].restartPolicy: Forbidden: may not be set for non-init containers"),
        Case("a sidecar's probes are checked as an app container's", initContainer("""
            restartPolicy: Always
            livenessProbe:
              successThreshold: 2
              exec: {command: ["true"]}
            """), "spec.initContainers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1"),
        // checkHostPortConflicts([]core.Container{ctr}, fldPath): each init container alone, so
        // the API server names it initContainers[0] whichever it is.
        Case("a host port twice in one init container", Manifest.pod(spec: """
            initContainers:
            - name: first
              image: rootfs
            - name: second
              image: rootfs
              ports: [{containerPort: 80, hostPort: 8080}, {containerPort: 81, hostPort: 8080}]
            """), "spec.initContainers[0].ports[1].hostPort: Duplicate value: \"TCP//8080\""),
        Case("an unknown field of an init container", initContainer("httpGet: {port: 80}"),
             #"unknown field "spec.initContainers[0].httpGet""#),
    ]

    @Test(arguments: cases) func rules(_ testCase: Case) {
        #expect(fieldErrors(in: testCase.yaml) == testCase.expected)
    }

    @Test func aSidecarMayHaveProbesAndTwoInitContainersMayShareAHostPort() {
        #expect(fieldErrors(in: Manifest.pod(spec: """
            initContainers:
            - name: first
              image: rootfs
              ports: [{containerPort: 80, hostPort: 8080}]
            - name: proxy
              image: rootfs
              restartPolicy: Always
              ports: [{containerPort: 80, hostPort: 8080}]
              startupProbe: {tcpSocket: {port: 80}}
              readinessProbe: {tcpSocket: {port: 80}}
              livenessProbe: {tcpSocket: {port: 80}}
            """)) == [])
    }
}
