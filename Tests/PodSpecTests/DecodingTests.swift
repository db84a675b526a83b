import PodSpec
import Testing

/// Strict decoding: unknown fields anywhere, wrong YAML types, YAML 1.1 ambiguities.
@Suite struct DecodingTests {
    static let unknownFields: [Case] = [
        Case("top level", Manifest.pod() + "\nspce: {}", #"unknown field "spce""#),
        Case("metadata", Manifest.pod(metadata: "lables: {app: web}"), #"unknown field "metadata.lables""#),
        Case("pod spec", Manifest.pod(spec: "restartpolicy: Never"), #"unknown field "spec.restartpolicy""#),
        Case("container", Manifest.pod(container: "workdir: /app"), #"unknown field "spec.containers[0].workdir""#),
        Case("probe", Manifest.pod(container: """
            livenessProbe:
              httpGet: {port: 8080}
              period: 5
            """), #"unknown field "spec.containers[0].livenessProbe.period""#),
        Case("handler", Manifest.pod(container: """
            livenessProbe:
              httpGet: {port: 8080, paht: /healthz}
            """), #"unknown field "spec.containers[0].livenessProbe.httpGet.paht""#),
        Case("header", Manifest.pod(container: """
            readinessProbe:
              httpGet:
                port: 8080
                httpHeaders: [{name: X-A, valeu: b}]
            """), #"unknown field "spec.containers[0].readinessProbe.httpGet.httpHeaders[0].valeu""#),
        Case("capabilities", Manifest.pod(container: "securityContext: {capabilities: {ad: [NET_ADMIN]}}"),
             #"unknown field "spec.containers[0].securityContext.capabilities.ad""#),
        Case("volume source", Manifest.pod(spec: "volumes: [{name: data, emptyDir: {size: 1Gi}}]"),
             #"unknown field "spec.volumes[0].emptyDir.size""#),
        Case("volume mount", Manifest.pod(spec: "volumes: [{name: data, emptyDir: {}}]",
                                          container: "volumeMounts: [{name: data, mountPath: /data, readonly: true}]"),
             #"unknown field "spec.containers[0].volumeMounts[0].readonly""#),
        Case("a null value still names its key", Manifest.pod(container: "livenessprobe:"),
             #"unknown field "spec.containers[0].livenessprobe""#),
    ]

    @Test(arguments: unknownFields) func unknownFieldsAreNamedByPath(_ testCase: Case) {
        #expect(fieldErrors(in: testCase.yaml) == testCase.expected)
    }

    static let wrongTypes: [Case] = [
        Case("number for a string", Manifest.pod(container: "env: [{name: PORT, value: 8080}]"),
             "spec.containers[0].env[0].value: Invalid value: 8080: must be a string; quote it"),
        Case("YAML 1.1 boolean for a string", Manifest.pod(container: "env: [{name: DEBUG, value: on}]"),
             "spec.containers[0].env[0].value: Invalid value: on: must be a string; quote it, as YAML 1.1 reads it as a boolean"),
        Case("yes for a boolean", Manifest.pod(container: "securityContext: {privileged: yes}"),
             "spec.containers[0].securityContext.privileged: Invalid value: yes: must be a boolean: true or false"),
        Case("quoted boolean", Manifest.pod(container: #"securityContext: {readOnlyRootFilesystem: "true"}"#),
             #"spec.containers[0].securityContext.readOnlyRootFilesystem: Invalid value: "true": must be a boolean: true or false"#),
        Case("float for an integer", Manifest.pod(container: "livenessProbe: {periodSeconds: 2.5, tcpSocket: {port: 80}}"),
             "spec.containers[0].livenessProbe.periodSeconds: Invalid value: 2.5: must be an integer"),
        Case("quoted integer", Manifest.pod(spec: #"terminationGracePeriodSeconds: "30""#),
             #"spec.terminationGracePeriodSeconds: Invalid value: "30": must be an integer"#),
        Case("hexadecimal", Manifest.pod(container: "livenessProbe: {tcpSocket: {port: 0x1F90}}"),
             "spec.containers[0].livenessProbe.tcpSocket.port: Invalid value: 0x1F90: must be a decimal integer"),
        Case("leading zero", Manifest.pod(container: "livenessProbe: {periodSeconds: 010, tcpSocket: {port: 80}}"),
             "spec.containers[0].livenessProbe.periodSeconds: Invalid value: 010: must be a decimal integer"),
        Case("beyond int32", Manifest.pod(container: "livenessProbe: {periodSeconds: 4294967296, tcpSocket: {port: 80}}"),
             "spec.containers[0].livenessProbe.periodSeconds: Invalid value: 4294967296: must fit in a 32-bit integer"),
        Case("object for a list", Manifest.pod().replacingOccurrences(of: "  containers:\n  - name: app", with: "  containers:\n    name: app"),
             "spec.containers: Invalid value: object: must be a list"),
        Case("string for an object", Manifest.pod(container: "resources: none"),
             #"spec.containers[0].resources: Invalid value: "none": must be an object"#),
        Case("list for a string", Manifest.pod().replacingOccurrences(of: "image: rootfs", with: "image: [a, b]"),
             "spec.containers[0].image: Invalid value: list: must be a string"),
        Case("boolean for a port", Manifest.pod(container: "livenessProbe: {httpGet: {port: true}}"),
             "spec.containers[0].livenessProbe.httpGet.port: Invalid value: true: must be a port number or a port name"),
        Case("number for a label", Manifest.pod(metadata: "labels: {version: 1.0}"),
             "metadata.labels[version]: Invalid value: 1.0: must be a string; quote it"),
        Case("boolean quantity", Manifest.pod(container: "resources: {limits: {cpu: true}}"),
             "spec.containers[0].resources.limits[cpu]: Invalid value: true: must be a quantity such as 500m or 128Mi"),
        Case("number for the pod name, reported once", Manifest.pod().replacingOccurrences(of: "name: web", with: "name: 123"),
             "metadata.name: Invalid value: 123: must be a string; quote it"),
        Case("document that is not an object", "just a string", #"Invalid value: "just a string": must be an object"#),
        Case("wrong apiVersion", Manifest.pod().replacingOccurrences(of: "apiVersion: v1", with: "apiVersion: apps/v1"),
             #"apiVersion: Invalid value: "apps/v1": must be "v1""#),
        Case("no kind", Manifest.pod().replacingOccurrences(of: "kind: Pod\n", with: ""),
             #"kind: Required value: must be "Pod""#),
    ]

    @Test(arguments: wrongTypes) func valuesOfTheWrongTypeAreRefused(_ testCase: Case) {
        #expect(fieldErrors(in: testCase.yaml) == testCase.expected)
    }

    @Test func booleansAreTrueOrFalseInAnyYAML12Case() throws {
        let yaml = Manifest.pod(container: "securityContext: {privileged: True, readOnlyRootFilesystem: FALSE}")
        let context = try #require(try PodFile.parse(yaml, file: "pod.yaml").first?.spec.containers.first?.securityContext)
        #expect(context.privileged == true)
        #expect(context.readOnlyRootFilesystem == false)
    }

    @Test func decodingErrorsHideValidationErrors() {
        // The API server does not validate what it cannot decode; neither does swiftlet.
        let yaml = Manifest.pod(spec: "restartPolicy: Sometimes", container: "nmae: x")
        #expect(report(for: yaml) == #"error: error validating "pod.yaml": unknown field "spec.containers[0].nmae""#)
    }

    @Test func mergeKeysAndAnchorsWorkAsForKubectl() throws {
        let yaml = """
            apiVersion: v1
            kind: Pod
            metadata: {name: web}
            spec:
              containers:
              - name: app
                image: rootfs
                livenessProbe: &probe
                  httpGet: {port: 8080, path: /healthz}
                  periodSeconds: 5
                readinessProbe:
                  <<: *probe
                  periodSeconds: 2
            """
        let container = try #require(try PodFile.parse(yaml, file: "pod.yaml").first?.spec.containers.first)
        let handler = Probe.Handler.httpGet(HTTPGetAction(path: "/healthz", port: .number(8080)))
        #expect(container.livenessProbe == Probe(handler: handler, periodSeconds: 5))
        #expect(container.readinessProbe == Probe(handler: handler, periodSeconds: 2))
    }

    @Test func theOutputOfKubectlRunDryRunLoads() throws {
        // `kubectl run web --image=rootfs --dry-run=client -o yaml`
        let yaml = """
            apiVersion: v1
            kind: Pod
            metadata:
              creationTimestamp: null
              labels:
                run: web
              name: web
            spec:
              containers:
              - image: rootfs
                name: web
                resources: {}
              dnsPolicy: ClusterFirst
              restartPolicy: Always
            status: {}
            """
        let pod = try #require(try PodFile.parse(yaml, file: "pod.yaml").first)
        #expect(pod.metadata.labels == ["run": "web"])
        #expect(pod.spec.containers.map(\.name) == ["web"])
    }

    @Test func everyFieldIsDecoded() throws {
        let yaml = """
            apiVersion: v1
            kind: Pod
            metadata:
              name: full
              namespace: team-a
              labels: {app: full, example.com/tier: backend}
              annotations: {note: "free text: anything"}
            spec:
              restartPolicy: OnFailure
              terminationGracePeriodSeconds: 5
              volumes:
              - {name: scratch, emptyDir: {medium: Memory, sizeLimit: 64Mi}}
              - {name: logs, hostPath: {path: /var/log/full, type: DirectoryOrCreate}}
              containers:
              - name: app
                image: ../images/app
                command: [/bin/server]
                args: [--port, "8080"]
                workingDir: /srv
                env: [{name: MODE, value: "on"}, {name: EMPTY}]
                ports: [{name: http, containerPort: 8080}, {containerPort: 5353, protocol: UDP}]
                resources:
                  limits: {cpu: "2", memory: 1Gi}
                  requests: {cpu: 250m, memory: 512Mi}
                securityContext:
                  runAsUser: 1000
                  runAsGroup: 1000
                  readOnlyRootFilesystem: true
                  allowPrivilegeEscalation: false
                  privileged: false
                  capabilities: {add: [net_bind_service], drop: [ALL]}
                  seccompProfile: {type: Localhost, localhostProfile: profiles/app.json}
                volumeMounts:
                - {name: scratch, mountPath: /tmp}
                - {name: logs, mountPath: /var/log/app, readOnly: true}
                imagePullPolicy: Never
                terminationMessagePath: /dev/termination-log
                terminationMessagePolicy: FallbackToLogsOnError
                startupProbe:
                  exec: {command: [cat, /tmp/started]}
                  failureThreshold: 30
                livenessProbe:
                  httpGet:
                    path: /healthz
                    port: http
                    host: 127.0.0.1
                    scheme: HTTPS
                    httpHeaders: [{name: X-Probe, value: kubelet}]
                  initialDelaySeconds: 3
                  timeoutSeconds: 0
                  periodSeconds: 1
                  terminationGracePeriodSeconds: 2
                readinessProbe:
                  grpc: {port: 9090, service: ready}
                  successThreshold: 2
            """
        let pod = try #require(try PodFile.parse(yaml, file: "/pods/full.yaml").first)
        #expect(pod.metadata == ObjectMeta(name: "full", namespace: "team-a",
                                           labels: ["app": "full", "example.com/tier": "backend"],
                                           annotations: ["note": "free text: anything"]))
        var expectedContainer = Container(
            name: "app",
            image: Image(written: "../images/app", resolved: "/images/app"),
            command: ["/bin/server"],
            args: ["--port", "8080"],
            env: [EnvVar(name: "MODE", value: "on"), EnvVar(name: "EMPTY")],
            workingDir: "/srv",
            ports: [ContainerPort(name: "http", containerPort: 8080), ContainerPort(containerPort: 5353, protocol: .udp)],
            resources: ResourceRequirements(limits: ResourceList(cpu: try Quantity("2"), memory: try Quantity("1Gi")),
                                            requests: ResourceList(cpu: try Quantity("250m"), memory: try Quantity("512Mi"))),
            securityContext: SecurityContext(runAsUser: 1000, runAsGroup: 1000, readOnlyRootFilesystem: true,
                                             allowPrivilegeEscalation: false, privileged: false,
                                             capabilities: Capabilities(add: [try #require(Capability("NET_BIND_SERVICE"))],
                                                                        drop: [.all]),
                                             seccompProfile: .localhost("profiles/app.json")),
            volumeMounts: [VolumeMount(name: "scratch", mountPath: "/tmp"),
                           VolumeMount(name: "logs", mountPath: "/var/log/app", readOnly: true)],
            livenessProbe: Probe(handler: .httpGet(HTTPGetAction(path: "/healthz", port: .name("http"), host: "127.0.0.1",
                                                                  scheme: .https,
                                                                  httpHeaders: [HTTPHeader(name: "X-Probe", value: "kubelet")])),
                                 initialDelaySeconds: 3, timeoutSeconds: 1, periodSeconds: 1,
                                 terminationGracePeriodSeconds: 2),
            readinessProbe: Probe(handler: .grpc(GRPCAction(port: 9090, service: "ready")), successThreshold: 2),
            startupProbe: Probe(handler: .exec(["cat", "/tmp/started"]), failureThreshold: 30))
        expectedContainer.terminationMessagePolicy = .fallbackToLogsOnError
        #expect(pod.spec == PodSpec(
            containers: [expectedContainer],
            volumes: [Volume(name: "scratch", source: .emptyDir(EmptyDirVolumeSource(medium: .memory, sizeLimit: try Quantity("64Mi")))),
                      Volume(name: "logs", source: .hostPath(HostPathVolumeSource(path: "/var/log/full", type: .directoryOrCreate)))],
            restartPolicy: .onFailure,
            terminationGracePeriodSeconds: 5))
    }

    @Test func badValuesAreQuotedAsGoQuotesThem() {
        let yaml = Manifest.pod().replacingOccurrences(of: "name: app", with: #"name: "tab\there\u00ad""#)
        #expect(fieldErrors(in: yaml).first?.hasPrefix(#"spec.containers[0].name: Invalid value: "tab\there\u00ad": "#) == true)
    }
}
