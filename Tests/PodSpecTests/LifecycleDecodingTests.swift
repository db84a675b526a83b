import PodSpec
import Testing

/// `lifecycle`, `terminationMessagePath`/`Policy` and `activeDeadlineSeconds`: decoded values,
/// and the API server's messages (validation.go validateLifecycle, validateHandler,
/// validateSleepAction; activeDeadlineSeconds' range).
@Suite struct LifecycleDecodingTests {
    static func container(_ yaml: String) throws -> Container {
        let pods = try PodFile.parse(Manifest.pod(container: yaml), file: "pod.yaml")
        return try #require(pods.first?.spec.containers.first)
    }

    @Test func everyHandlerDecodes() throws {
        let c = try Self.container("""
            ports: [{name: web, containerPort: 8080}]
            lifecycle:
              postStart:
                exec: {command: [sh, -c, "echo hi > /tmp/started"]}
              preStop:
                httpGet: {port: web, path: /shutdown, httpHeaders: [{name: X-Why, value: stop}]}
            """)
        #expect(c.lifecycle?.postStart == .exec(["sh", "-c", "echo hi > /tmp/started"]))
        #expect(c.lifecycle?.preStop == .httpGet(HTTPGetAction(path: "/shutdown", port: .name("web"),
                                                               httpHeaders: [HTTPHeader(name: "X-Why", value: "stop")])))
        let d = try Self.container("""
            lifecycle:
              postStart: {tcpSocket: {port: 80}}
              preStop: {sleep: {seconds: 5}}
            """)
        #expect(d.lifecycle?.postStart == .tcpSocket(TCPSocketAction(port: .number(80))))
        #expect(d.lifecycle?.preStop == .sleep(seconds: 5))
    }

    @Test func httpGetDefaultsPathAndScheme() throws {
        let c = try Self.container("lifecycle: {preStop: {httpGet: {port: 80}}}")
        #expect(c.lifecycle?.preStop == .httpGet(HTTPGetAction(path: "/", port: .number(80), scheme: .http)))
    }

    @Test func terminationMessageFields() throws {
        let plain = try Self.container("")
        #expect(plain.terminationMessagePath == "/dev/termination-log")
        #expect(plain.terminationMessagePolicy == .file)
        let set = try Self.container("""
            terminationMessagePath: /tmp/why
            terminationMessagePolicy: FallbackToLogsOnError
            """)
        #expect(set.terminationMessagePath == "/tmp/why")
        #expect(set.terminationMessagePolicy == .fallbackToLogsOnError)
    }

    @Test func activeDeadlineDecodes() throws {
        let pods = try PodFile.parse(Manifest.pod(spec: "activeDeadlineSeconds: 2"), file: "pod.yaml")
        #expect(pods.first?.spec.activeDeadlineSeconds == 2)
        let none = try PodFile.parse(Manifest.pod(), file: "pod.yaml")
        #expect(none.first?.spec.activeDeadlineSeconds == nil)
    }

    /// A native sidecar may have hooks (the kubelet runs them as for app containers); a regular
    /// init container may not (`validateInitContainers`).
    @Test func initContainersHaveHooksOnlyAsSidecars() throws {
        let sidecar = try PodFile.parse(Manifest.pod(spec: """
            initContainers:
            - name: proxy
              image: rootfs
              restartPolicy: Always
              lifecycle: {preStop: {sleep: {seconds: 1}}}
            """), file: "pod.yaml")
        #expect(sidecar.first?.spec.initContainers.first?.lifecycle?.preStop == .sleep(seconds: 1))
        #expect(fieldErrors(in: Manifest.pod(spec: """
            initContainers:
            - name: setup
              image: rootfs
              lifecycle: {preStop: {sleep: {seconds: 1}}}
            """)) == ["spec.initContainers[0].lifecycle: Forbidden: may not be set for init containers without restartPolicy=Always"])
        #expect(fieldErrors(in: Manifest.pod(spec: """
            terminationGracePeriodSeconds: 3
            initContainers:
            - name: proxy
              image: rootfs
              restartPolicy: Always
              lifecycle: {postStart: {sleep: {seconds: 4}}}
            """)) == ["spec.initContainers[0].lifecycle.postStart.sleep: Invalid value: 4: must be non-negative and less than terminationGracePeriodSeconds (3)"])
    }

    static let rules: [Case] = [
        Case("hook without handler", Manifest.pod(container: "lifecycle: {postStart: {}}"),
             "spec.containers[0].lifecycle.postStart: Required value: must specify a handler type"),
        Case("hook with two handlers", Manifest.pod(container: """
            lifecycle:
              preStop:
                exec: {command: ["true"]}
                sleep: {seconds: 1}
            """), "spec.containers[0].lifecycle.preStop.sleep: Forbidden: may not specify more than 1 handler type"),
        Case("exec without command", Manifest.pod(container: "lifecycle: {postStart: {exec: {}}}"),
             "spec.containers[0].lifecycle.postStart.exec.command: Required value"),
        Case("httpGet without port", Manifest.pod(container: "lifecycle: {preStop: {httpGet: {path: /x}}}"),
             "spec.containers[0].lifecycle.preStop.httpGet.port: Required value"),
        Case("tcpSocket port out of range", Manifest.pod(container: "lifecycle: {preStop: {tcpSocket: {port: 70000}}}"),
             "spec.containers[0].lifecycle.preStop.tcpSocket.port: Invalid value: 70000: must be between 1 and 65535, inclusive"),
        Case("grpc is no lifecycle handler", Manifest.pod(container: "lifecycle: {preStop: {grpc: {port: 9090}}}"),
             "unknown field \"spec.containers[0].lifecycle.preStop.grpc\""),
        Case("sleep longer than the grace period", Manifest.pod(spec: "terminationGracePeriodSeconds: 5", container: """
            lifecycle: {preStop: {sleep: {seconds: 6}}}
            """), "spec.containers[0].lifecycle.preStop.sleep: Invalid value: 6: must be non-negative and less than terminationGracePeriodSeconds (5)"),
        Case("negative sleep", Manifest.pod(container: "lifecycle: {postStart: {sleep: {seconds: -1}}}"),
             "spec.containers[0].lifecycle.postStart.sleep: Invalid value: -1: must be non-negative and less than terminationGracePeriodSeconds (30)"),
        Case("stopSignal stays refused", Manifest.pod(container: "lifecycle: {stopSignal: SIGUSR1}"),
             "spec.containers[0].lifecycle.stopSignal: Forbidden: not supported by swiftlet"),
        Case("unknown policy", Manifest.pod(container: "terminationMessagePolicy: Always"),
             "spec.containers[0].terminationMessagePolicy: Unsupported value: \"Always\": supported values: \"File\", \"FallbackToLogsOnError\""),
        Case("relative termination message path", Manifest.pod(container: "terminationMessagePath: tmp/why"),
             "spec.containers[0].terminationMessagePath: Invalid value: \"tmp/why\": must be an absolute path"),
        Case("deadline zero", Manifest.pod(spec: "activeDeadlineSeconds: 0"),
             "spec.activeDeadlineSeconds: Invalid value: 0: must be between 1 and 2147483647, inclusive"),
    ]

    @Test(arguments: rules) func validation(_ testCase: Case) {
        #expect(fieldErrors(in: testCase.yaml) == testCase.expected)
    }
}
