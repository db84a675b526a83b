import Foundation
import Testing

/// End-to-end: ConfigMaps, Secrets and the downward API in real containers' environments,
/// read back from the busybox `env` output in the container log. Ports of
/// test/e2e/common/node/{configmap,secrets,downwardapi,expansion}.go env cases, with short timings.
@Suite(.enabled(if: geteuid() == 0, "needs root: pods run real containers"), .serialized)
struct ConfigEnvE2ETests {
    static let busybox = E2ESession.busybox

    /// A pod whose one container runs `command` once (restartPolicy Never).
    static func pod(_ name: String, command: String = "[env]", args: String = "", container: String = "",
                    spec: String = "") -> String {
        """
        apiVersion: v1
        kind: Pod
        metadata:
          name: \(name)
          labels: {app: \(name)}
          annotations: {build: "42"}
        spec:
          restartPolicy: Never
        \(spec)
          containers:
          - name: c
            image: \(busybox)
            command: \(command)
        \(args.isEmpty ? "" : "    args: " + args)
        \(container.split(separator: "\n", omittingEmptySubsequences: false).map { "    " + $0 }.joined(separator: "\n"))
        """
    }

    /// The container's log once it has ended (its output: `env` lines).
    static func output(_ s: E2ESession, _ name: String, seconds: Double = 30) -> String {
        _ = s.eventually(seconds) { s.phase(name) == "Succeeded" || s.phase(name) == "Failed" }
        return s.run(["logs", name]).out
    }

    /// configmap.go "should be consumable via environment variable" and "should be consumable
    /// via the environment" (envFrom with and without prefix), the ConfigMap beside the pod.
    @Test func configMapsInEnvAndEnvFrom() {
        let s = E2ESession()
        let file = s.write("""
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: configmap-test}
            data: {data-1: value-1, data-2: value-2, data-3: value-3}
            ---
            \(Self.pod("cm-env", container: """
            env:
            - name: CONFIG_DATA_1
              valueFrom: {configMapKeyRef: {name: configmap-test, key: data-1}}
            envFrom:
            - configMapRef: {name: configmap-test}
            - prefix: p-
              configMapRef: {name: configmap-test}
            """))
            """)
        let started = s.run(["run", "-d", "-f", file])
        #expect(started.status == 0, "\(started.out) \(started.err)")
        #expect(started.out.contains("configmap/configmap-test created"), "\(started.out)")
        let out = Self.output(s, "cm-env")
        for line in ["CONFIG_DATA_1=value-1", "data-1=value-1", "data-2=value-2", "data-3=value-3",
                     "p-data-1=value-1", "p-data-2=value-2", "p-data-3=value-3"] {
            #expect(out.contains(line + "\n"), "\(line) in \(out)")
        }
    }

    /// secrets.go "should be consumable from pods in env vars" and "should be consumable via the
    /// environment"; the Secret created on its own first (`create -f`).
    @Test func secretsInEnvAndEnvFrom() {
        let s = E2ESession()
        let secret = s.write("""
            apiVersion: v1
            kind: Secret
            metadata: {name: secret-test}
            data: {data-1: dmFsdWUtMQ==}
            stringData: {data-2: value-2}
            """)
        let created = s.run(["create", "-f", secret])
        #expect(created.status == 0 && created.out == "secret/secret-test created\n", "\(created.out) \(created.err)")
        let again = s.run(["create", "-f", secret])
        #expect(again.status != 0 && again.err.contains("Error from server (AlreadyExists): secrets \"secret-test\" already exists"),
                "\(again.err)")
        let started = s.run(["run", "-d", "-f", s.write(Self.pod("secret-env", container: """
            env:
            - name: SECRET_DATA
              valueFrom: {secretKeyRef: {name: secret-test, key: data-1}}
            envFrom:
            - prefix: p-
              secretRef: {name: secret-test}
            """))])
        #expect(started.status == 0, "\(started.err)")
        let out = Self.output(s, "secret-env")
        for line in ["SECRET_DATA=value-1", "p-data-1=value-1", "p-data-2=value-2"] {
            #expect(out.contains(line + "\n"), "\(line) in \(out)")
        }
    }

    /// downwardapi.go: pod name, namespace, IP, host IP, uid, labels, annotations, node name;
    /// limits and requests with limits set, and the node's allocatable without.
    @Test func downwardAPIInEnv() throws {
        let s = E2ESession()
        let started = s.run(["run", "-d", "-f", s.write(Self.pod("dapi", container: """
            resources:
              limits: {cpu: 1250m, memory: 64Mi}
              requests: {cpu: 250m, memory: 32Mi}
            env:
            - {name: POD_NAME, valueFrom: {fieldRef: {fieldPath: metadata.name}}}
            - {name: POD_NAMESPACE, valueFrom: {fieldRef: {fieldPath: metadata.namespace}}}
            - {name: POD_IP, valueFrom: {fieldRef: {fieldPath: status.podIP}}}
            - {name: POD_IPS, valueFrom: {fieldRef: {fieldPath: status.podIPs}}}
            - {name: HOST_IP, valueFrom: {fieldRef: {fieldPath: status.hostIP}}}
            - {name: POD_UID, valueFrom: {fieldRef: {fieldPath: metadata.uid}}}
            - {name: NODE_NAME, valueFrom: {fieldRef: {fieldPath: spec.nodeName}}}
            - {name: APP, valueFrom: {fieldRef: {fieldPath: "metadata.labels['app']"}}}
            - {name: BUILD, valueFrom: {fieldRef: {fieldPath: "metadata.annotations['build']"}}}
            - {name: SA, valueFrom: {fieldRef: {fieldPath: spec.serviceAccountName}}}
            - {name: CPU_LIMIT, valueFrom: {resourceFieldRef: {resource: limits.cpu}}}
            - {name: MEMORY_LIMIT, valueFrom: {resourceFieldRef: {resource: limits.memory}}}
            - {name: CPU_REQUEST, valueFrom: {resourceFieldRef: {resource: requests.cpu, divisor: 1m}}}
            - {name: MEMORY_REQUEST, valueFrom: {resourceFieldRef: {containerName: c, resource: requests.memory, divisor: 1Mi}}}
            """))])
        #expect(started.status == 0, "\(started.err)")
        let out = Self.output(s, "dapi")
        let pod = try #require(s.pod("dapi"))
        let status = try #require(pod["status"] as? [String: Any])
        let uid = try #require((pod["metadata"] as? [String: Any])?["uid"] as? String)
        let podIP = try #require(status["podIP"] as? String)
        let node = try #require((pod["spec"] as? [String: Any])?["nodeName"] as? String)
        for line in ["POD_NAME=dapi", "POD_NAMESPACE=default", "POD_IP=\(podIP)", "POD_IPS=\(podIP)", "POD_UID=\(uid)",
                     "NODE_NAME=\(node)", "APP=dapi", "BUILD=42", "SA=default", "CPU_LIMIT=2", "MEMORY_LIMIT=67108864",
                     "CPU_REQUEST=250", "MEMORY_REQUEST=32"] {
            #expect(out.contains(line + "\n"), "\(line) in \(out)")
        }
        if let hostIP = status["hostIP"] as? String { #expect(out.contains("HOST_IP=\(hostIP)\n"), "\(out)") }

        // "should provide default limits.cpu/memory from node allocatable"
        let defaults = s.run(["run", "-d", "-f", s.write(Self.pod("dapi-defaults", container: """
            env:
            - {name: CPU_LIMIT, valueFrom: {resourceFieldRef: {resource: limits.cpu}}}
            - {name: MEMORY_LIMIT, valueFrom: {resourceFieldRef: {resource: limits.memory}}}
            """))])
        #expect(defaults.status == 0, "\(defaults.err)")
        let allocatable = Self.output(s, "dapi-defaults")
        let cpus = sysconf(Int32(_SC_NPROCESSORS_ONLN))
        let memTotal = try String(contentsOfFile: "/proc/meminfo", encoding: .utf8).split(separator: "\n")
            .first { $0.hasPrefix("MemTotal:") }.flatMap { $0.split(separator: " ").dropFirst().first.flatMap { Int64($0) } }
        #expect(allocatable.contains("CPU_LIMIT=\(cpus)\n"), "\(allocatable)")
        #expect(allocatable.contains("MEMORY_LIMIT=\((memTotal ?? 0) * 1024)\n"), "\(allocatable)")
    }

    /// expansion.go "should allow composing env vars into new env vars" and "should allow
    /// substituting values in a container's command" / "... args".
    @Test func compositionAndCommandSubstitution() {
        let s = E2ESession()
        let started = s.run(["run", "-d", "-f", s.write(Self.pod("expansion",
            command: "[sh, -c, \"env; echo 'cmd: $(TEST_VAR) $$(TEST_VAR)'; echo \\\"$0 $1\\\"\"]",
            args: "['$(FOOBAR)', '$(UNDEFINED)']", container: """
            env:
            - {name: FOO, value: foo-value}
            - {name: BAR, value: bar-value}
            - {name: FOOBAR, value: "$(FOO);;$(BAR)"}
            - {name: TEST_VAR, value: test-value}
            - {name: ESCAPED, value: "$$(FOO)"}
            """))])
        #expect(started.status == 0, "\(started.err)")
        let out = Self.output(s, "expansion")
        for line in ["FOO=foo-value", "BAR=bar-value", "FOOBAR=foo-value;;bar-value", "ESCAPED=$(FOO)",
                     "cmd: test-value $(TEST_VAR)", "foo-value;;bar-value $(UNDEFINED)"] {
            #expect(out.contains(line + "\n"), "\(line) in \(out)")
        }
    }

    /// A missing ConfigMap keeps the container Waiting with CreateContainerConfigError and the
    /// kubelet's message; creating it later lets the container start (the retry), also with
    /// restartPolicy Never.
    @Test func aMissingConfigMapWaitsUntilItIsCreated() {
        let s = E2ESession()
        let started = s.run(["run", "-d", "-f", s.write(Self.pod("waits", container: """
            env:
            - name: LEVEL
              valueFrom: {configMapKeyRef: {name: later, key: level}}
            """)), "--backoff-initial", "1s"])
        #expect(started.status == 0, "\(started.err)")
        let waiting = s.eventually(20) {
            let state = s.containerStatus("waits")?["state"] as? [String: Any]
            let w = state?["waiting"] as? [String: Any]
            return w?["reason"] as? String == "CreateContainerConfigError" && w?["message"] as? String == "configmap \"later\" not found"
        }
        #expect(waiting, "\(String(describing: s.containerStatus("waits")))")
        #expect(s.messages("waits", reason: "Failed").contains("Error: configmap \"later\" not found"), "\(s.events("waits"))")
        #expect(s.run(["get", "pods", "waits"]).out.contains("CreateContainerConfigError"))

        // The ConfigMap without the key: the message names the key.
        let wrongKey = s.run(["create", "-f", s.write("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: later}\ndata: {other: x}\n")])
        #expect(wrongKey.status == 0, "\(wrongKey.err)")
        #expect(s.eventually(20) {
            (s.containerStatus("waits")?["state"] as? [String: Any]).flatMap { $0["waiting"] as? [String: Any] }?["message"] as? String
                == "couldn't find key level in ConfigMap default/later"
        })
        #expect(s.run(["delete", "configmap", "later"]).out == "configmap \"later\" deleted\n")
        let good = s.run(["create", "-f", s.write("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: later}\ndata: {level: debug}\n")])
        #expect(good.status == 0, "\(good.err)")
        let out = Self.output(s, "waits", seconds: 30)
        #expect(out.contains("LEVEL=debug\n"), "\(out)")
    }

    /// A pod whose container waits for its Secret is deleted at once, with nothing left behind.
    @Test func aPodWaitingForItsSecretIsDeletedCleanly() {
        let s = E2ESession()
        let started = s.run(["run", "-d", "-f", s.write(Self.pod("waits-delete", container: """
            envFrom:
            - secretRef: {name: never-created}
            """))])
        #expect(started.status == 0, "\(started.err)")
        #expect(s.eventually(20) { s.messages("waits-delete", reason: "Failed").contains("Error: secret \"never-created\" not found") })
        #expect(s.phase("waits-delete") == "Pending")
        let deleted = s.run(["delete", "pod", "waits-delete"], timeout: 30)
        #expect(deleted.status == 0, "\(deleted.err)")
        #expect(!FileManager.default.fileExists(atPath: s.root + "/pods/waits-delete"))
    }

    /// create, get and delete of ConfigMaps and Secrets, without a daemon; values never in tables.
    @Test func createGetAndDeleteWithoutADaemon() throws {
        let s = E2ESession()
        let file = s.write("""
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: game}
            data: {lives: "3", mode: easy}
            binaryData: {logo: AAEC}
            ---
            apiVersion: v1
            kind: Secret
            metadata: {name: creds}
            type: kubernetes.io/basic-auth
            stringData: {username: admin, password: hunter2}
            """)
        let created = s.run(["create", "-f", file])
        #expect(created.status == 0, "\(created.err)")
        #expect(created.out == "configmap/game created\nsecret/creds created\n")
        #expect(!FileManager.default.fileExists(atPath: s.root + "/daemon.pid"), "no daemon needed")
        // `run -f` stores a file's objects too, replacing those of the same name.
        let replayed = s.run(["run", "-d", "-f", file])
        #expect(replayed.status == 0 && replayed.out == "configmap/game configured\nsecret/creds configured\n",
                "\(replayed.out) \(replayed.err)")
        #expect(!FileManager.default.fileExists(atPath: s.root + "/daemon.pid"), "no pods: no daemon")

        let maps = s.run(["get", "configmaps"]).out
        #expect(maps.hasPrefix("NAME   DATA   AGE\ngame   3      "), "\(maps)")
        let secrets = s.run(["get", "secrets"]).out
        #expect(secrets.hasPrefix("NAME    TYPE                       DATA   AGE\ncreds   kubernetes.io/basic-auth   2      "), "\(secrets)")
        #expect(!secrets.contains("hunter2"))

        let json = s.run(["get", "secret", "creds", "-o", "json"]).out
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(object["kind"] as? String == "Secret")
        #expect((object["data"] as? [String: String])?["password"] == "aHVudGVyMg==")
        let cm = s.run(["get", "cm", "game", "-o", "json"]).out
        let cmObject = try #require(try JSONSerialization.jsonObject(with: Data(cm.utf8)) as? [String: Any])
        #expect((cmObject["binaryData"] as? [String: String])?["logo"] == "AAEC")

        let missing = s.run(["get", "configmap", "nothing"])
        #expect(missing.status != 0 && missing.err.contains("Error from server (NotFound): configmaps \"nothing\" not found"))

        let deleted = s.run(["delete", "-f", file])
        #expect(deleted.status == 0, "\(deleted.err)")
        #expect(deleted.out == "configmap \"game\" deleted\nsecret \"creds\" deleted\n", "\(deleted.out)")
        #expect(s.run(["get", "secrets"]).err == "No resources found in default namespace.\n")
        let again = s.run(["delete", "secret", "creds"])
        #expect(again.status != 0 && again.err.contains("Error from server (NotFound): secrets \"creds\" not found"))
    }
}
