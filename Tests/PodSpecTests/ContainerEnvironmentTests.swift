import PodSpec
import Testing

/// The kubelet's makeEnvironmentVariables on fixed objects: order, precedence, expansion,
/// optional references and the messages of CreateContainerConfigError.
@Suite struct ContainerEnvironmentTests {
    let context = DownwardAPIContext(uid: "uid-1", podIPs: ["10.85.0.7"], hostIPs: ["192.168.1.2"], nodeName: "node1",
                                     nodeCPUMillicores: 2000, nodeMemoryBytes: 4 << 30)
    let objects = ConfigObjects(
        configMaps: [ConfigMap(name: "game", data: ["LIVES": "3", "1bad": "x", "MODE": "easy"])],
        secrets: [Secret(name: "creds", data: ["password": Array("s3cret".utf8)])])

    private func pod(_ container: String) throws -> Pod {
        try #require(try PodFile.parse(Manifest.pod(metadata: "labels: {app: web}", container: container), file: "p.yaml").first)
    }

    private func environment(_ container: String) throws -> [String: String] {
        let pod = try pod(container)
        let env = try ContainerEnvironment.resolve(pod.spec.containers[0], pod: pod, context: context, objects: objects)
        return Dictionary(env.variables.map { ($0.name, $0.value) }, uniquingKeysWith: { $1 })
    }

    @Test func envWinsOverEnvFromAndExpandsAgainstWhatCameBefore() throws {
        let env = try environment("""
            envFrom:
            - configMapRef: {name: game}
            env:
            - {name: MODE, value: hard}
            - {name: GREETING, value: "$(MODE) with $(LIVES) lives, $(LATER), $$(MODE)"}
            - {name: LATER, value: late}
            - {name: SELF, value: "$(SELF)x"}
            """)
        #expect(env["MODE"] == "hard")
        #expect(env["GREETING"] == "hard with 3 lives, $(LATER), $(MODE)")
        #expect(env["SELF"] == "$(SELF)x")
        #expect(env["1bad"] == "x")  // a valid name under the relaxed rule (GA in 1.34)
    }

    @Test func downwardAPIAndSecrets() throws {
        let env = try environment("""
            resources: {limits: {memory: 64Mi, cpu: 1250m}, requests: {memory: 32Mi}}
            env:
            - {name: NAME, valueFrom: {fieldRef: {fieldPath: metadata.name}}}
            - {name: NS, valueFrom: {fieldRef: {fieldPath: metadata.namespace}}}
            - {name: UID, valueFrom: {fieldRef: {fieldPath: metadata.uid}}}
            - {name: APP, valueFrom: {fieldRef: {fieldPath: "metadata.labels['app']"}}}
            - {name: IP, valueFrom: {fieldRef: {fieldPath: status.podIP}}}
            - {name: HOST_IP, valueFrom: {fieldRef: {fieldPath: status.hostIP}}}
            - {name: NODE, valueFrom: {fieldRef: {fieldPath: spec.nodeName}}}
            - {name: CPU_LIMIT, valueFrom: {resourceFieldRef: {resource: limits.cpu}}}
            - {name: CPU_LIMIT_M, valueFrom: {resourceFieldRef: {resource: limits.cpu, divisor: 1m}}}
            - {name: MEMORY_LIMIT, valueFrom: {resourceFieldRef: {resource: limits.memory}}}
            - {name: MEMORY_REQUEST_MI, valueFrom: {resourceFieldRef: {containerName: app, resource: requests.memory, divisor: 1Mi}}}
            - {name: PASSWORD, valueFrom: {secretKeyRef: {name: creds, key: password}}}
            """)
        #expect(env["NAME"] == "web")
        #expect(env["NS"] == "default")
        #expect(env["UID"] == "uid-1")
        #expect(env["APP"] == "web")
        #expect(env["IP"] == "10.85.0.7")
        #expect(env["HOST_IP"] == "192.168.1.2")
        #expect(env["NODE"] == "node1")
        #expect(env["CPU_LIMIT"] == "2")
        #expect(env["CPU_LIMIT_M"] == "1250")
        #expect(env["MEMORY_LIMIT"] == "67108864")
        #expect(env["MEMORY_REQUEST_MI"] == "32")
        #expect(env["PASSWORD"] == "s3cret")
    }

    /// Unset limits read as the node's allocatable (downwardapi.go "should provide default
    /// limits.cpu/memory from node allocatable").
    @Test func unsetLimitsAreTheNodes() throws {
        let env = try environment("""
            env:
            - {name: CPU_LIMIT, valueFrom: {resourceFieldRef: {resource: limits.cpu}}}
            - {name: MEMORY_LIMIT, valueFrom: {resourceFieldRef: {resource: limits.memory}}}
            """)
        #expect(env["CPU_LIMIT"] == "2")
        #expect(env["MEMORY_LIMIT"] == String(4 << 30))
    }

    @Test func optionalReferencesToMissingObjectsAreSkipped() throws {
        let env = try environment("""
            envFrom:
            - secretRef: {name: nothing, optional: true}
            env:
            - {name: A, valueFrom: {configMapKeyRef: {name: nothing, key: k, optional: true}}}
            - {name: B, valueFrom: {configMapKeyRef: {name: game, key: missing, optional: true}}}
            - {name: C, value: c}
            """)
        #expect(env == ["C": "c"])
    }

    static let failures: [(String, String)] = [
        ("env: [{name: A, valueFrom: {configMapKeyRef: {name: nothing, key: k}}}]", "configmap \"nothing\" not found"),
        ("env: [{name: A, valueFrom: {configMapKeyRef: {name: game, key: k}}}]", "couldn't find key k in ConfigMap default/game"),
        ("env: [{name: A, valueFrom: {secretKeyRef: {name: nothing, key: k}}}]", "secret \"nothing\" not found"),
        ("env: [{name: A, valueFrom: {secretKeyRef: {name: creds, key: k}}}]", "couldn't find key k in Secret default/creds"),
        ("envFrom: [{configMapRef: {name: nothing}}]", "configmap \"nothing\" not found"),
        ("env: [{name: A, valueFrom: {resourceFieldRef: {containerName: other, resource: limits.cpu}}}]", "container other not found"),
    ]

    @Test(arguments: failures)
    func missingObjectsStopTheContainer(_ failure: (String, String)) throws {
        let pod = try pod(failure.0)
        #expect(throws: ContainerEnvironment.Failure(description: failure.1)) {
            try ContainerEnvironment.resolve(pod.spec.containers[0], pod: pod, context: context, objects: objects)
        }
    }

    @Test func commandAndArgsExpandAgainstTheEnvironment() throws {
        let pod = try pod("""
            command: [sh, -c, "echo $(GREETING) $$(GREETING)"]
            args: ["$(LIVES)", "$(UNDEFINED)"]
            env: [{name: GREETING, value: hi}]
            envFrom: [{configMapRef: {name: game}}]
            """)
        let env = try ContainerEnvironment.resolve(pod.spec.containers[0], pod: pod, context: context, objects: objects)
        let applied = env.applied(to: pod.spec.containers[0])
        #expect(applied.command == ["sh", "-c", "echo hi $(GREETING)"])
        #expect(applied.args == ["3", "$(UNDEFINED)"])
        #expect(applied.envFrom.isEmpty)
        #expect(applied.env.allSatisfy { $0.valueFrom == nil })
    }
}
