import PodSpec
import Testing

/// env valueFrom and envFrom: what decodes, and the API server's messages for what does not
/// (pkg/apis/core/validation: validateEnvVarValueFrom, validateObjectFieldSelector,
/// validateContainerResourceFieldSelector, validateConfigMapKeySelector, ValidateEnvFrom).
@Suite struct EnvSourceDecodingTests {
    private func container(_ fragment: String) throws -> Container {
        try #require(try PodFile.parse(Manifest.pod(container: fragment), file: "pod.yaml").first?.spec.containers.first)
    }

    @Test func everySourceDecodes() throws {
        let c = try container("""
            env:
            - name: POD_NAME
              valueFrom: {fieldRef: {fieldPath: metadata.name}}
            - name: APP
              valueFrom: {fieldRef: {apiVersion: v1, fieldPath: "metadata.labels['app']"}}
            - name: MEM
              valueFrom: {resourceFieldRef: {resource: limits.memory, divisor: 1Mi}}
            - name: LEVEL
              valueFrom: {configMapKeyRef: {name: special-config, key: special.how}}
            - name: PASSWORD
              valueFrom: {secretKeyRef: {name: creds, key: password, optional: true}}
            envFrom:
            - configMapRef: {name: game}
            - prefix: DB_
              secretRef: {name: creds, optional: true}
            """)
        #expect(c.env.map(\.valueFrom) == [
            .fieldRef(ObjectFieldSelector(fieldPath: "metadata.name")),
            .fieldRef(ObjectFieldSelector(fieldPath: "metadata.labels['app']")),
            .resourceFieldRef(ResourceFieldSelector(resource: "limits.memory", divisor: try Quantity("1Mi"))),
            .configMapKeyRef(KeyReference(name: "special-config", key: "special.how")),
            .secretKeyRef(KeyReference(name: "creds", key: "password", optional: true)),
        ])
        #expect(c.envFrom == [EnvFromSource(object: .configMap(name: "game", optional: false)),
                              EnvFromSource(prefix: "DB_", object: .secret(name: "creds", optional: true))])
    }

    static let errors: [Case] = [
        Case("no source", Manifest.pod(container: "env: [{name: A, valueFrom: {}}]"),
             "spec.containers[0].env[0].valueFrom: Invalid value: \"\": must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`"),
        Case("value and valueFrom", Manifest.pod(container: "env: [{name: A, value: x, valueFrom: {fieldRef: {fieldPath: metadata.name}}}]"),
             "spec.containers[0].env[0].valueFrom: Invalid value: \"\": may not be specified when `value` is not empty"),
        Case("two sources", Manifest.pod(container: """
            env:
            - name: A
              valueFrom:
                fieldRef: {fieldPath: metadata.name}
                configMapKeyRef: {name: x, key: y}
            """), "spec.containers[0].env[0].valueFrom: Invalid value: \"\": may not have more than one field specified at a time"),
        Case("field path not in env", Manifest.pod(container: "env: [{name: A, valueFrom: {fieldRef: {fieldPath: metadata.labels}}}]"),
             "spec.containers[0].env[0].valueFrom.fieldRef.fieldPath: Unsupported value: \"metadata.labels\": supported values: \"metadata.name\", \"metadata.namespace\", \"metadata.uid\", \"spec.nodeName\", \"spec.serviceAccountName\", \"status.hostIP\", \"status.hostIPs\", \"status.podIP\", \"status.podIPs\""),
        Case("unknown field path", Manifest.pod(container: "env: [{name: A, valueFrom: {fieldRef: {fieldPath: spec.foo}}}]"),
             "spec.containers[0].env[0].valueFrom.fieldRef.fieldPath: Invalid value: \"spec.foo\": error converting fieldPath: field label not supported: spec.foo"),
        Case("other apiVersion", Manifest.pod(container: "env: [{name: A, valueFrom: {fieldRef: {apiVersion: v2, fieldPath: metadata.name}}}]"),
             "spec.containers[0].env[0].valueFrom.fieldRef.fieldPath: Invalid value: \"metadata.name\": error converting fieldPath: unsupported pod version: v2"),
        Case("no field path", Manifest.pod(container: "env: [{name: A, valueFrom: {fieldRef: {apiVersion: v1}}}]"),
             "spec.containers[0].env[0].valueFrom.fieldRef.fieldPath: Required value"),
        Case("unknown resource", Manifest.pod(container: "env: [{name: A, valueFrom: {resourceFieldRef: {resource: limits.gpu}}}]"),
             "spec.containers[0].env[0].valueFrom.resourceFieldRef.resource: Unsupported value: \"limits.gpu\": supported values: \"limits.cpu\", \"limits.ephemeral-storage\", \"limits.memory\", \"requests.cpu\", \"requests.ephemeral-storage\", \"requests.memory\""),
        Case("cpu divisor", Manifest.pod(container: "env: [{name: A, valueFrom: {resourceFieldRef: {resource: limits.cpu, divisor: 10m}}}]"),
             "spec.containers[0].env[0].valueFrom.resourceFieldRef.divisor: Invalid value: \"limits.cpu\": only divisor's values 1m and 1 are supported with the cpu resource"),
        Case("memory divisor", Manifest.pod(container: "env: [{name: A, valueFrom: {resourceFieldRef: {resource: requests.memory, divisor: 2Mi}}}]"),
             "spec.containers[0].env[0].valueFrom.resourceFieldRef.divisor: Invalid value: \"requests.memory\": only divisor's values 1, 1k, 1M, 1G, 1T, 1P, 1E, 1Ki, 1Mi, 1Gi, 1Ti, 1Pi, 1Ei are supported with the memory resource"),
        Case("configMap key", Manifest.pod(container: "env: [{name: A, valueFrom: {configMapKeyRef: {name: x, key: \"a/b\"}}}]"),
             "spec.containers[0].env[0].valueFrom.configMapKeyRef.key: Invalid value: \"a/b\": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')"),
        Case("secret key missing", Manifest.pod(container: "env: [{name: A, valueFrom: {secretKeyRef: {name: x}}}]"),
             "spec.containers[0].env[0].valueFrom.secretKeyRef.key: Required value"),
        Case("envFrom without source", Manifest.pod(container: "envFrom: [{prefix: P_}]"),
             "spec.containers[0].envFrom: Invalid value: \"\": must specify one of: `configMapRef` or `secretRef`"),
        Case("envFrom with two sources", Manifest.pod(container: "envFrom: [{configMapRef: {name: a}, secretRef: {name: b}}]"),
             "spec.containers[0].envFrom: Invalid value: \"\": may not have more than one field specified at a time"),
        Case("envFrom without name", Manifest.pod(container: "envFrom: [{configMapRef: {optional: true}}]"),
             "spec.containers[0].envFrom[0].configMapRef.name: Required value"),
        Case("fileKeyRef stays refused", Manifest.pod(container: "env: [{name: A, valueFrom: {fileKeyRef: {path: x}}}]"),
             "spec.containers[0].env[0].valueFrom.fileKeyRef: Forbidden: not supported by swiftlet"),
    ]

    @Test(arguments: errors)
    func refused(_ testCase: Case) {
        let errors = fieldErrors(in: testCase.yaml)
        #expect(!errors.isEmpty && testCase.expected.allSatisfy(errors.contains), "\(errors)")
    }
}

/// enableServiceLinks: accepted (there are no Services to link), typed as a boolean.
@Suite struct ServiceLinksTests {
    @Test func acceptedEitherWay() {
        #expect(fieldErrors(in: Manifest.pod(spec: "enableServiceLinks: false")).isEmpty)
        #expect(fieldErrors(in: Manifest.pod(spec: "enableServiceLinks: true")).isEmpty)
        #expect(!fieldErrors(in: Manifest.pod(spec: "enableServiceLinks: \"no\"")).isEmpty)
    }
}
