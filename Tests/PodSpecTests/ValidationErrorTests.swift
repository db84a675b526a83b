import PodSpec
import Testing

/// Every rule, with the exact message kubectl users know. Each case breaks one rule of an
/// otherwise valid pod and must produce exactly the listed errors.
@Suite struct ValidationErrorTests {
    static let probes: [Case] = [
        Case("period below 1", Manifest.pod(container: """
            livenessProbe:
              periodSeconds: 0
              httpGet: {port: 8080}
            """), "spec.containers[0].livenessProbe.periodSeconds: Invalid value: 0: must be greater than or equal to 1"),
        Case("liveness success threshold", Manifest.pod(container: """
            livenessProbe:
              successThreshold: 2
              tcpSocket: {port: 8080}
            """), "spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1"),
        Case("startup success threshold", Manifest.pod(container: """
            startupProbe:
              successThreshold: 3
              exec: {command: ["true"]}
            """), "spec.containers[0].startupProbe.successThreshold: Invalid value: 3: must be 1"),
        Case("readiness success threshold below 1", Manifest.pod(container: """
            readinessProbe:
              successThreshold: 0
              tcpSocket: {port: 8080}
            """), "spec.containers[0].readinessProbe.successThreshold: Invalid value: 0: must be greater than or equal to 1"),
        Case("no handler", Manifest.pod(container: """
            livenessProbe:
              periodSeconds: 5
            """), "spec.containers[0].livenessProbe: Required value: must specify a handler type"),
        Case("two handlers", Manifest.pod(container: """
            livenessProbe:
              exec: {command: [cat, /tmp/healthy]}
              httpGet: {port: 8080}
            """), "spec.containers[0].livenessProbe.httpGet: Forbidden: may not specify more than 1 handler type"),
        Case("three handlers", Manifest.pod(container: """
            readinessProbe:
              httpGet: {port: 8080}
              tcpSocket: {port: 8080}
              grpc: {port: 9090}
            """), "spec.containers[0].readinessProbe.tcpSocket: Forbidden: may not specify more than 1 handler type",
              "spec.containers[0].readinessProbe.grpc: Forbidden: may not specify more than 1 handler type"),
        Case("negative initial delay", Manifest.pod(container: """
            livenessProbe:
              initialDelaySeconds: -1
              httpGet: {port: 8080}
            """), "spec.containers[0].livenessProbe.initialDelaySeconds: Invalid value: -1: must be greater than or equal to 0"),
        Case("negative timeout", Manifest.pod(container: """
            livenessProbe:
              timeoutSeconds: -1
              httpGet: {port: 8080}
            """), "spec.containers[0].livenessProbe.timeoutSeconds: Invalid value: -1: must be greater than or equal to 1"),
        Case("failure threshold below 1", Manifest.pod(container: """
            livenessProbe:
              failureThreshold: 0
              httpGet: {port: 8080}
            """), "spec.containers[0].livenessProbe.failureThreshold: Invalid value: 0: must be greater than or equal to 1"),
        Case("probe grace period below 1", Manifest.pod(container: """
            livenessProbe:
              terminationGracePeriodSeconds: 0
              httpGet: {port: 8080}
            """), "spec.containers[0].livenessProbe.terminationGracePeriodSeconds: Invalid value: 0: must be greater than 0"),
        Case("grace period on readiness", Manifest.pod(container: """
            readinessProbe:
              terminationGracePeriodSeconds: 10
              httpGet: {port: 8080}
            """), "spec.containers[0].readinessProbe.terminationGracePeriodSeconds: Invalid value: 10: must not be set for readinessProbes"),
        Case("exec without command", Manifest.pod(container: """
            livenessProbe:
              exec: {}
            """), "spec.containers[0].livenessProbe.exec.command: Required value"),
        Case("port out of range", Manifest.pod(container: """
            livenessProbe:
              httpGet: {port: 70000}
            """), "spec.containers[0].livenessProbe.httpGet.port: Invalid value: 70000: must be between 1 and 65535, inclusive"),
        Case("named port the container lacks", Manifest.pod(container: """
            ports: [{name: web, containerPort: 8080}]
            livenessProbe:
              httpGet: {port: http}
            """), #"spec.containers[0].livenessProbe.httpGet.port: Invalid value: "http": no port in spec.containers[0].ports has this name"#),
        Case("quoted number is a port name", Manifest.pod(container: """
            livenessProbe:
              tcpSocket: {port: "8080"}
            """), #"spec.containers[0].livenessProbe.tcpSocket.port: Invalid value: "8080": must contain at least one letter (a-z)"#),
        Case("unsupported scheme", Manifest.pod(container: """
            livenessProbe:
              httpGet: {port: 8080, scheme: FTP}
            """), #"spec.containers[0].livenessProbe.httpGet.scheme: Unsupported value: "FTP": supported values: "HTTP", "HTTPS""#),
        Case("bad header name", Manifest.pod(container: """
            livenessProbe:
              httpGet:
                port: 8080
                httpHeaders: [{name: X Bad, value: v}]
            """), #"spec.containers[0].livenessProbe.httpGet.httpHeaders: Invalid value: "X Bad": a valid HTTP header must consist of alphanumeric characters or '-' (e.g. 'X-Header-Name', regex used for validation is '[-A-Za-z0-9]+')"#),
        Case("tcpSocket without port", Manifest.pod(container: """
            livenessProbe:
              tcpSocket: {host: 127.0.0.1}
            """), "spec.containers[0].livenessProbe.tcpSocket.port: Required value"),
        Case("grpc port zero", Manifest.pod(container: """
            livenessProbe:
              grpc: {port: 0}
            """), "spec.containers[0].livenessProbe.grpc.port: Invalid value: 0: must be between 1 and 65535, inclusive"),
    ]

    static let containers: [Case] = [
        Case("container port zero", Manifest.pod(container: "ports: [{containerPort: 0}]"),
             "spec.containers[0].ports[0].containerPort: Required value"),
        Case("container port out of range", Manifest.pod(container: "ports: [{containerPort: 70000}]"),
             "spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive"),
        Case("port name too long", Manifest.pod(container: "ports: [{name: a-very-long-port-name, containerPort: 80}]"),
             #"spec.containers[0].ports[0].name: Invalid value: "a-very-long-port-name": must be no more than 15 characters"#),
        Case("port name with consecutive hyphens", Manifest.pod(container: "ports: [{name: web--1, containerPort: 80}]"),
             #"spec.containers[0].ports[0].name: Invalid value: "web--1": must not contain consecutive hyphens"#),
        Case("duplicate port name", Manifest.pod(container: """
            ports:
            - {name: http, containerPort: 80}
            - {name: http, containerPort: 8080}
            """), #"spec.containers[0].ports[1].name: Duplicate value: "http""#),
        Case("unsupported protocol", Manifest.pod(container: "ports: [{containerPort: 80, protocol: ICMP}]"),
             #"spec.containers[0].ports[0].protocol: Unsupported value: "ICMP": supported values: "SCTP", "TCP", "UDP""#),
        Case("env valueFrom.fileKeyRef", Manifest.pod(container: """
            env:
            - name: POD_NAME
              valueFrom: {fileKeyRef: {path: x}}
            """), "spec.containers[0].env[0].valueFrom.fileKeyRef: Forbidden: not supported by swiftlet",
             "spec.containers[0].env[0].valueFrom: Invalid value: \"\": must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`"),
        Case("env name with =", Manifest.pod(container: "env: [{name: A=B, value: x}]"),
             #"spec.containers[0].env[0].name: Invalid value: "A=B": a valid environment variable name must consist only of printable ASCII characters other than '='"#),
        Case("env without name", Manifest.pod(container: "env: [{value: x}]"),
             "spec.containers[0].env[0].name: Required value"),
        Case("invalid container name", Manifest.pod().replacingOccurrences(of: "name: app", with: "name: App"),
             #"spec.containers[0].name: Invalid value: "App": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"#),
        Case("dotted container name", Manifest.pod().replacingOccurrences(of: "name: app", with: "name: app.v1"),
             #"spec.containers[0].name: Invalid value: "app.v1": must not contain dots"#),
        Case("empty image", Manifest.pod().replacingOccurrences(of: "image: rootfs", with: #"image: """#),
             "spec.containers[0].image: Required value"),
        Case("image with trailing space", Manifest.pod().replacingOccurrences(of: "image: rootfs", with: #"image: "rootfs ""#),
             #"spec.containers[0].image: Invalid value: "rootfs ": must not have leading or trailing whitespace"#),
        Case("relative working directory", Manifest.pod(container: "workingDir: app"),
             #"spec.containers[0].workingDir: Invalid value: "app": must be an absolute path"#),
        Case("unknown pull policy", Manifest.pod(container: "imagePullPolicy: Sometimes"),
             #"spec.containers[0].imagePullPolicy: Unsupported value: "Sometimes": supported values: "Always", "IfNotPresent", "Never""#),
        Case("unsupported container field", Manifest.pod(container: "tty: true"),
             "spec.containers[0].tty: Forbidden: not supported by swiftlet"),
    ]

    static let resources: [Case] = [
        Case("malformed quantity", Manifest.pod(container: "resources: {limits: {memory: 12x}}"),
             #"spec.containers[0].resources.limits[memory]: Invalid value: "12x": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"#),
        Case("unknown suffix", Manifest.pod(container: "resources: {requests: {memory: 1mi}}"),
             #"spec.containers[0].resources.requests[memory]: Invalid value: "1mi": unable to parse quantity's suffix"#),
        Case("request above limit", Manifest.pod(container: #"resources: {limits: {cpu: "1"}, requests: {cpu: "2"}}"#),
             #"spec.containers[0].resources.requests: Invalid value: "2": must be less than or equal to cpu limit of 1"#),
        Case("memory request above limit in other units", Manifest.pod(container: "resources: {limits: {memory: 1Gi}, requests: {memory: 1025Mi}}"),
             #"spec.containers[0].resources.requests: Invalid value: "1025Mi": must be less than or equal to memory limit of 1Gi"#),
        Case("negative limit", Manifest.pod(container: "resources: {limits: {memory: -1Mi}}"),
             #"spec.containers[0].resources.limits[memory]: Invalid value: "-1Mi": must be greater than or equal to 0"#),
        Case("too large to count in bytes", Manifest.pod(container: "resources: {limits: {memory: 1e30}}"),
             #"spec.containers[0].resources.limits[memory]: Invalid value: "1e30": must be at most 9223372036854775807 bytes"#),
        Case("resource other than cpu and memory", Manifest.pod(container: "resources: {limits: {ephemeral-storage: 1Gi}}"),
             #"spec.containers[0].resources.limits[ephemeral-storage]: Unsupported value: "ephemeral-storage": supported values: "cpu", "memory""#),
    ]

    static let securityContexts: [Case] = [
        Case("negative user", Manifest.pod(container: "securityContext: {runAsUser: -1}"),
             "spec.containers[0].securityContext.runAsUser: Invalid value: -1: must be between 0 and 2147483647, inclusive"),
        Case("group beyond 2^31", Manifest.pod(container: "securityContext: {runAsGroup: 4294967296}"),
             "spec.containers[0].securityContext.runAsGroup: Invalid value: 4294967296: must be between 0 and 2147483647, inclusive"),
        Case("localhost seccomp without profile", Manifest.pod(container: "securityContext: {seccompProfile: {type: Localhost}}"),
             "spec.containers[0].securityContext.seccompProfile.localhostProfile: Required value: must be set when seccomp type is Localhost"),
        Case("absolute localhost profile", Manifest.pod(container: "securityContext: {seccompProfile: {type: Localhost, localhostProfile: /etc/p.json}}"),
             #"spec.containers[0].securityContext.seccompProfile.localhostProfile: Invalid value: "/etc/p.json": must be a relative path"#),
        Case("profile without Localhost", Manifest.pod(container: "securityContext: {seccompProfile: {type: RuntimeDefault, localhostProfile: p.json}}"),
             #"spec.containers[0].securityContext.seccompProfile.localhostProfile: Invalid value: "p.json": can only be set when seccomp type is Localhost"#),
        Case("unknown seccomp type", Manifest.pod(container: "securityContext: {seccompProfile: {type: Strict}}"),
             #"spec.containers[0].securityContext.seccompProfile.type: Unsupported value: "Strict": supported values: "Localhost", "RuntimeDefault", "Unconfined""#),
        Case("seccomp without type", Manifest.pod(container: "securityContext: {seccompProfile: {}}"),
             "spec.containers[0].securityContext.seccompProfile.type: Required value: type is required when seccompProfile is set"),
        Case("unknown capability", Manifest.pod(container: "securityContext: {capabilities: {add: [NET_ADMIN, NET_FOO]}}"),
             #"spec.containers[0].securityContext.capabilities.add[1]: Invalid value: "NET_FOO": must be a Linux capability, such as NET_ADMIN or CAP_NET_ADMIN, or ALL"#),
        Case("privileged without escalation", Manifest.pod(container: "securityContext: {privileged: true, allowPrivilegeEscalation: false}"),
             "spec.containers[0].securityContext: Invalid value: cannot set `allowPrivilegeEscalation` to false and `privileged` to true"),
        Case("SYS_ADMIN without escalation", Manifest.pod(container: "securityContext: {capabilities: {add: [CAP_SYS_ADMIN]}, allowPrivilegeEscalation: false}"),
             "spec.containers[0].securityContext: Invalid value: cannot set `allowPrivilegeEscalation` to false and `capabilities.Add` CAP_SYS_ADMIN"),
    ]

    static let volumes: [Case] = [
        Case("mount of a missing volume", Manifest.pod(container: "volumeMounts: [{name: data, mountPath: /data}]"),
             #"spec.containers[0].volumeMounts[0].name: Not found: "data""#),
        Case("relative mount path", Manifest.pod(spec: "volumes: [{name: data, emptyDir: {}}]",
                                                 container: "volumeMounts: [{name: data, mountPath: data}]"),
             #"spec.containers[0].volumeMounts[0].mountPath: Invalid value: "data": must be an absolute path"#),
        Case("mount path with ..", Manifest.pod(spec: "volumes: [{name: data, emptyDir: {}}]",
                                                container: "volumeMounts: [{name: data, mountPath: /data/../etc}]"),
             #"spec.containers[0].volumeMounts[0].mountPath: Invalid value: "/data/../etc": must not contain '..'"#),
        Case("two mounts on one path", Manifest.pod(spec: "volumes: [{name: a, emptyDir: {}}, {name: b, emptyDir: {}}]",
                                                    container: "volumeMounts: [{name: a, mountPath: /data}, {name: b, mountPath: /data/}]"),
             #"spec.containers[0].volumeMounts[1].mountPath: Invalid value: "/data/": must be unique"#),
        Case("volume without source", Manifest.pod(spec: "volumes: [{name: data}]"),
             "spec.volumes[0]: Required value: must specify a volume type"),
        Case("volume with two sources", Manifest.pod(spec: "volumes: [{name: data, emptyDir: {}, hostPath: {path: /srv}}]"),
             "spec.volumes[0].hostPath: Forbidden: may not specify more than 1 volume type"),
        Case("unsupported volume source", Manifest.pod(spec: "volumes: [{name: data, nfs: {server: nas, path: /data}}]"),
             "spec.volumes[0].nfs: Forbidden: not supported by swiftlet"),
        Case("duplicate volume name", Manifest.pod(spec: "volumes: [{name: data, emptyDir: {}}, {name: data, emptyDir: {}}]"),
             #"spec.volumes[1].name: Duplicate value: "data""#),
        Case("volume name with capitals", Manifest.pod(spec: "volumes: [{name: Data, emptyDir: {}}]"),
             #"spec.volumes[0].name: Invalid value: "Data": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"#),
        Case("relative hostPath", Manifest.pod(spec: "volumes: [{name: data, hostPath: {path: data}}]"),
             #"spec.volumes[0].hostPath.path: Invalid value: "data": must be an absolute path"#),
        Case("hostPath with ..", Manifest.pod(spec: "volumes: [{name: data, hostPath: {path: /srv/../etc}}]"),
             #"spec.volumes[0].hostPath.path: Invalid value: "/srv/../etc": must not contain '..'"#),
        Case("unknown hostPath type", Manifest.pod(spec: "volumes: [{name: data, hostPath: {path: /srv, type: Dir}}]"),
             #"spec.volumes[0].hostPath.type: Unsupported value: "Dir": supported values: "", "BlockDevice", "CharDevice", "Directory", "DirectoryOrCreate", "File", "FileOrCreate", "Socket""#),
        Case("hugepages emptyDir", Manifest.pod(spec: "volumes: [{name: data, emptyDir: {medium: HugePages}}]"),
             #"spec.volumes[0].emptyDir.medium: Unsupported value: "HugePages": supported values: "", "Memory""#),
        Case("negative emptyDir size", Manifest.pod(spec: "volumes: [{name: data, emptyDir: {sizeLimit: -1Gi}}]"),
             "spec.volumes[0].emptyDir.sizeLimit: Forbidden: SizeLimit field must be a valid resource quantity"),
    ]

    static let pods: [Case] = [
        Case("unknown restart policy", Manifest.pod(spec: "restartPolicy: Sometimes"),
             #"spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never""#),
        Case("negative grace period", Manifest.pod(spec: "terminationGracePeriodSeconds: -1"),
             "spec.terminationGracePeriodSeconds: Invalid value: -1: must be greater than or equal to 0"),
        Case("upper-case pod name", Manifest.pod().replacingOccurrences(of: "name: web", with: "name: Foo"),
             #"metadata.name: Invalid value: "Foo": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"#),
        Case("no pod name", Manifest.pod().replacingOccurrences(of: "name: web", with: "labels: {app: web}"),
             "metadata.name: Required value: name or generateName is required"),
        Case("invalid namespace", Manifest.pod(metadata: "namespace: team.a"),
             #"metadata.namespace: Invalid value: "team.a": must not contain dots"#),
        Case("invalid label value", Manifest.pod(metadata: "labels: {tier: -front}"),
             #"metadata.labels: Invalid value: "-front": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"#),
        Case("invalid label key prefix", Manifest.pod(metadata: "labels: {Example.com/tier: web}"),
             #"metadata.labels: Invalid value: "Example.com/tier": prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"#),
        Case("invalid annotation key", Manifest.pod(metadata: "annotations: {a/b/c: x}"),
             #"metadata.annotations: Invalid value: "a/b/c": a valid label key must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"#),
        Case("no containers", """
            apiVersion: v1
            kind: Pod
            metadata: {name: web}
            spec: {containers: []}
            """, "spec.containers: Required value"),
        Case("no spec", """
            apiVersion: v1
            kind: Pod
            metadata: {name: web}
            """, "spec.containers: Required value"),
        Case("duplicate container name", """
            apiVersion: v1
            kind: Pod
            metadata: {name: web}
            spec:
              containers:
              - {name: app, image: rootfs}
              - {name: app, image: rootfs}
            """, #"spec.containers[1].name: Duplicate value: "app""#),
        Case("unsupported pod field", Manifest.pod(spec: "hostPID: true"),
             "spec.hostPID: Forbidden: not supported by swiftlet"),
        Case("pod-level SELinux options", Manifest.pod(spec: "securityContext: {runAsUser: 1000, seLinuxOptions: {level: s0}}"),
             "spec.securityContext.seLinuxOptions: Forbidden: not supported by swiftlet"),
    ]

    @Test(arguments: probes) func probeRules(_ testCase: Case) {
        #expect(fieldErrors(in: testCase.yaml) == testCase.expected)
    }

    @Test(arguments: containers) func containerRules(_ testCase: Case) {
        #expect(fieldErrors(in: testCase.yaml) == testCase.expected)
    }

    @Test(arguments: resources) func resourceRules(_ testCase: Case) {
        #expect(fieldErrors(in: testCase.yaml) == testCase.expected)
    }

    @Test(arguments: securityContexts) func securityContextRules(_ testCase: Case) {
        #expect(fieldErrors(in: testCase.yaml) == testCase.expected)
    }

    @Test(arguments: volumes) func volumeRules(_ testCase: Case) {
        #expect(fieldErrors(in: testCase.yaml) == testCase.expected)
    }

    @Test(arguments: pods) func podRules(_ testCase: Case) {
        #expect(fieldErrors(in: testCase.yaml) == testCase.expected)
    }

    @Test func theTemplateItselfIsValid() {
        #expect(fieldErrors(in: Manifest.pod()) == [])
    }

    @Test func everyBrokenRuleOfOnePodIsReportedTogether() {
        let yaml = Manifest.pod(spec: "restartPolicy: Sometimes", container: """
            livenessProbe:
              periodSeconds: 0
              successThreshold: 2
              httpGet: {port: 8080}
            """)
        #expect(report(for: yaml) == """
            The Pod "web" is invalid: \("")
            * spec.containers[0].livenessProbe.periodSeconds: Invalid value: 0: must be greater than or equal to 1
            * spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1
            * spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"
            """)
    }
}
