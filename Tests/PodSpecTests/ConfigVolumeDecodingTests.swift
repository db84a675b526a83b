import PodSpec
import Testing

/// configMap, secret, downwardAPI and projected volumes and subPath mounts: decoded with the API
/// server's defaults, refused with its messages (pkg/apis/core/validation/validation.go).
@Suite struct ConfigVolumeDecodingTests {
    private func volumes(_ yaml: String) throws -> [Volume] {
        try #require(try PodFile.parse(Manifest.pod(spec: yaml), file: "pod.yaml").first).spec.volumes
    }

    @Test func configMapItemsAndModesAsKubectlReadsThem() throws {
        let decoded = try volumes("""
            volumes:
            - name: config
              configMap:
                name: special-config
                defaultMode: 0400
                items:
                - {key: SPECIAL_LEVEL, path: keys/level, mode: 0o600}
                - {key: SPECIAL_TYPE, path: type, mode: 511}
            """)
        #expect(decoded == [Volume(name: "config", source: .configMap(ConfigMapVolumeSource(
            name: "special-config",
            items: [KeyToPath(key: "SPECIAL_LEVEL", path: "keys/level", mode: 0o600),
                    KeyToPath(key: "SPECIAL_TYPE", path: "type", mode: 0o777)],
            defaultMode: 0o400)))])
    }

    @Test func defaultModeIs0644AndOptionalFalse() throws {
        let decoded = try volumes("""
            volumes:
            - {name: s, secret: {secretName: creds}}
            - {name: d, downwardAPI: {items: [{path: labels, fieldRef: {fieldPath: metadata.labels}}]}}
            """)
        #expect(decoded[0].source == .secret(SecretVolumeSource(secretName: "creds", defaultMode: 0o644, optional: false)))
        #expect(decoded[1].source == .downwardAPI(DownwardAPIVolumeSource(
            items: [DownwardAPIVolumeFile(path: "labels", value: .field(ObjectFieldSelector(fieldPath: "metadata.labels")))],
            defaultMode: 0o644)))
    }

    /// The docs' "Configure a Pod to Use a Projected Volume for Storage", with a downward API
    /// and a ConfigMap source added.
    @Test func projectedSources() throws {
        let decoded = try volumes("""
            volumes:
            - name: all-in-one
              projected:
                defaultMode: 0440
                sources:
                - secret: {name: user}
                - secret: {name: pass, items: [{key: password, path: my-group/my-password}]}
                - configMap: {name: myconfigmap, optional: true}
                - downwardAPI:
                    items:
                    - {path: cpu_limit, resourceFieldRef: {containerName: app, resource: limits.cpu, divisor: 1m}}
            """)
        guard case .projected(let projected) = decoded.first?.source else {
            Issue.record("not projected: \(decoded)")
            return
        }
        #expect(projected.defaultMode == 0o440)
        #expect(projected.sources.count == 4)
        #expect(projected.sources[1] == .secret(SecretVolumeSource(
            secretName: "pass", items: [KeyToPath(key: "password", path: "my-group/my-password")])))
        #expect(projected.sources[2] == .configMap(ConfigMapVolumeSource(name: "myconfigmap", optional: true)))
        #expect(projected.sources[3] == .downwardAPI(DownwardAPIVolumeSource(items: [DownwardAPIVolumeFile(
            path: "cpu_limit",
            value: .resource(ResourceFieldSelector(containerName: "app", resource: "limits.cpu", divisor: try Quantity("1m"))))])))
    }

    @Test func subPathAndSubPathExprAreDecoded() throws {
        let yaml = Manifest.pod(spec: "volumes: [{name: data, emptyDir: {}}]", container: """
            volumeMounts:
            - {name: data, mountPath: /a, subPath: one/two}
            - {name: data, mountPath: /b, subPathExpr: $(POD_NAME)}
            """)
        let mounts = try #require(try PodFile.parse(yaml, file: "pod.yaml").first?.spec.containers.first?.volumeMounts)
        #expect(mounts == [VolumeMount(name: "data", mountPath: "/a", subPath: "one/two"),
                           VolumeMount(name: "data", mountPath: "/b", subPathExpr: "$(POD_NAME)")])
    }

    static let refused: [Case] = [
        Case("configMap without a name", Manifest.pod(spec: "volumes: [{name: c, configMap: {}}]"),
             "spec.volumes[0].configMap.name: Required value"),
        Case("secret without secretName", Manifest.pod(spec: "volumes: [{name: c, secret: {}}]"),
             "spec.volumes[0].secret.secretName: Required value"),
        Case("a mode above 0777", Manifest.pod(spec: "volumes: [{name: c, configMap: {name: x, defaultMode: 01000}}]"),
             "spec.volumes[0].configMap.defaultMode: Invalid value: 512: must be a number between 0 and 0777 (octal), both inclusive"),
        Case("a negative item mode", Manifest.pod(spec: "volumes: [{name: c, secret: {secretName: x, items: [{key: k, path: p, mode: -1}]}}]"),
             "spec.volumes[0].secret.items[0].mode: Invalid value: -1: must be a number between 0 and 0777 (octal), both inclusive"),
        Case("an item path with ..", Manifest.pod(spec: "volumes: [{name: c, configMap: {name: x, items: [{key: k, path: a/../../etc}]}}]"),
             #"spec.volumes[0].configMap.items[0].path: Invalid value: "a/../../etc": must not contain '..'"#),
        Case("an absolute item path", Manifest.pod(spec: "volumes: [{name: c, configMap: {name: x, items: [{key: k, path: /etc/passwd}]}}]"),
             #"spec.volumes[0].configMap.items[0].path: Invalid value: "/etc/passwd": must be a relative path"#),
        Case("an item path starting with ..", Manifest.pod(spec: "volumes: [{name: c, configMap: {name: x, items: [{key: k, path: ..data}]}}]"),
             #"spec.volumes[0].configMap.items[0].path: Invalid value: "..data": must not start with '..'"#),
        Case("an item without key and path", Manifest.pod(spec: "volumes: [{name: c, configMap: {name: x, items: [{}]}}]"),
             "spec.volumes[0].configMap.items[0].key: Required value",
             "spec.volumes[0].configMap.items[0].path: Required value"),
        Case("a downwardAPI item without a source", Manifest.pod(spec: "volumes: [{name: d, downwardAPI: {items: [{path: x}]}}]"),
             "spec.volumes[0].downwardAPI: Required value: one of fieldRef and resourceFieldRef is required"),
        Case("a downwardAPI item with both sources", Manifest.pod(spec: """
            volumes: [{name: d, downwardAPI: {items: [{path: x, fieldRef: {fieldPath: metadata.name},
                                                       resourceFieldRef: {containerName: app, resource: limits.cpu}}]}}]
            """),
             #"spec.volumes[0].downwardAPI: Invalid value: "resource": fieldRef and resourceFieldRef can not be specified simultaneously"#),
        Case("status.podIP is for env only", Manifest.pod(spec: "volumes: [{name: d, downwardAPI: {items: [{path: ip, fieldRef: {fieldPath: status.podIP}}]}}]"),
             #"spec.volumes[0].downwardAPI.fieldRef.fieldPath: Unsupported value: "status.podIP": supported values: "metadata.annotations", "metadata.labels", "metadata.name", "metadata.namespace", "metadata.uid""#),
        Case("an unknown field path", Manifest.pod(spec: "volumes: [{name: d, downwardAPI: {items: [{path: x, fieldRef: {fieldPath: spec.foo}}]}}]"),
             #"spec.volumes[0].downwardAPI.fieldRef.fieldPath: Invalid value: "spec.foo": error converting fieldPath: field label not supported: spec.foo"#),
        Case("resourceFieldRef without containerName", Manifest.pod(spec: "volumes: [{name: d, downwardAPI: {items: [{path: x, resourceFieldRef: {resource: limits.cpu}}]}}]"),
             "spec.volumes[0].downwardAPI.resourceFieldRef.containerName: Required value"),
        Case("a cpu divisor of 1Mi", Manifest.pod(spec: "volumes: [{name: d, downwardAPI: {items: [{path: x, resourceFieldRef: {containerName: app, resource: limits.cpu, divisor: 1Mi}}]}}]"),
             "spec.volumes[0].downwardAPI.resourceFieldRef.divisor: Invalid value: 1Mi: only divisor's values 1m and 1 are supported with the cpu resource"),
        Case("two projected files at one path", Manifest.pod(spec: """
            volumes:
            - name: p
              projected:
                sources:
                - secret: {name: s, items: [{key: a, path: same}]}
                - configMap: {name: cm, items: [{key: b, path: same}]}
            """),
             #"spec.volumes[0].projected: Invalid value: "cm": conflicting duplicate paths"#),
        Case("a service account token", Manifest.pod(spec: "volumes: [{name: p, projected: {sources: [{serviceAccountToken: {path: token}}]}}]"),
             "spec.volumes[0].projected.sources[0].serviceAccountToken: Forbidden: not supported by swiftlet"),
        Case("two kinds in one source", Manifest.pod(spec: "volumes: [{name: p, projected: {sources: [{secret: {name: s}, configMap: {name: c}}]}}]"),
             "spec.volumes[0].projected.sources[0].configMap: Forbidden: may not specify more than 1 volume type per source"),
        Case("subPath and subPathExpr together", Manifest.pod(spec: "volumes: [{name: v, emptyDir: {}}]",
                                                              container: "volumeMounts: [{name: v, mountPath: /v, subPath: a, subPathExpr: b}]"),
             #"spec.containers[0].volumeMounts[0].subPathExpr: Invalid value: "b": subPathExpr and subPath are mutually exclusive"#),
        Case("an absolute subPath", Manifest.pod(spec: "volumes: [{name: v, emptyDir: {}}]",
                                                 container: "volumeMounts: [{name: v, mountPath: /v, subPath: /etc}]"),
             #"spec.containers[0].volumeMounts[0].subPath: Invalid value: "/etc": must be a relative path"#),
        Case("a subPathExpr with ..", Manifest.pod(spec: "volumes: [{name: v, emptyDir: {}}]",
                                                   container: "volumeMounts: [{name: v, mountPath: /v, subPathExpr: $(X)/../..}]"),
             #"spec.containers[0].volumeMounts[0].subPathExpr: Invalid value: "$(X)/../..": must not contain '..'"#),
    ]

    @Test(arguments: refused)
    func refusedWithTheAPIServersMessage(_ c: Case) {
        #expect(fieldErrors(in: c.yaml) == c.expected)
    }
}
