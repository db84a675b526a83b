import PodSpec

/// `-o json` and `describe` of `configMap`, `secret`, `downwardAPI` and `projected` volumes, as
/// the API server stores them (defaultMode filled in) and kubectl describes them.
enum ConfigVolumeJSON {
    static func source(_ source: VolumeSource) -> (key: String, value: JSON)? {
        switch source {
        case .configMap(let c): ("configMap", configMap(c, withMode: true))
        case .secret(let s): ("secret", secret(s, nameKey: "secretName", withMode: true))
        case .downwardAPI(let d): ("downwardAPI", downwardAPI(d, withMode: true))
        case .projected(let p):
            ("projected", .members(["defaultMode": .int(Int(p.defaultMode)), "sources": .array(p.sources.map { source in
                switch source {
                case .configMap(let c): .object(["configMap": configMap(c, withMode: false)])
                case .secret(let s): .object(["secret": secret(s, nameKey: "name", withMode: false)])
                case .downwardAPI(let d): .object(["downwardAPI": downwardAPI(d, withMode: false)])
                }
            })]))
        case .emptyDir, .hostPath: nil
        }
    }

    private static func items(_ items: [KeyToPath]) -> JSON? {
        items.isEmpty ? nil : .array(items.map {
            .members(["key": .string($0.key), "path": .string($0.path), "mode": $0.mode.map { .int(Int($0)) }])
        })
    }

    private static func configMap(_ c: ConfigMapVolumeSource, withMode: Bool) -> JSON {
        .members(["name": .string(c.name), "items": items(c.items), "optional": c.optional ? .bool(true) : nil,
                  "defaultMode": withMode ? .int(Int(c.defaultMode)) : nil])
    }

    private static func secret(_ s: SecretVolumeSource, nameKey: String, withMode: Bool) -> JSON {
        .members([nameKey: .string(s.secretName), "items": items(s.items), "optional": s.optional ? .bool(true) : nil,
                  "defaultMode": withMode ? .int(Int(s.defaultMode)) : nil])
    }

    private static func downwardAPI(_ d: DownwardAPIVolumeSource, withMode: Bool) -> JSON {
        .members(["defaultMode": withMode ? .int(Int(d.defaultMode)) : nil, "items": .array(d.items.map { item in
            let value: (String, JSON) = switch item.value {
            case .field(let f): ("fieldRef", .object(["apiVersion": .string(f.apiVersion), "fieldPath": .string(f.fieldPath)]))
            case .resource(let r): ("resourceFieldRef", .members([
                "containerName": .string(r.containerName), "resource": .string(r.resource),
                "divisor": .string(r.divisor?.description ?? "0")]))
            }
            return .members(["path": .string(item.path), value.0: value.1, "mode": item.mode.map { .int(Int($0)) }])
        })])
    }

    /// kubectl's describe lines (pkg/describe/describe.go printConfigMapVolumeSource and friends).
    static func describe(_ source: VolumeSource) -> [String] {
        switch source {
        case .configMap(let c):
            ["    Type:\tConfigMap (a volume populated by a ConfigMap)", "    Name:\t\(c.name)", "    Optional:\t\(c.optional)"]
        case .secret(let s):
            ["    Type:\tSecret (a volume populated by a Secret)", "    SecretName:\t\(s.secretName)", "    Optional:\t\(s.optional)"]
        case .downwardAPI(let d):
            ["    Type:\tDownwardAPI (a volume populated by information about the pod)", "    Items:"] + downwardItems(d)
        case .projected(let p):
            ["    Type:\tProjected (a volume that contains injected data from multiple sources)"] + p.sources.flatMap { source in
                switch source {
                case .configMap(let c): ["    ConfigMapName:\t\(c.name)", "    ConfigMapOptional:\t\(c.optional)"]
                case .secret(let s): ["    SecretName:\t\(s.secretName)", "    SecretOptionalName:\t\(s.optional)"]
                case .downwardAPI: ["    DownwardAPI:\ttrue"]
                }
            }
        case .emptyDir, .hostPath: []
        }
    }

    private static func downwardItems(_ d: DownwardAPIVolumeSource) -> [String] {
        d.items.map { item in
            switch item.value {
            case .field(let f): "      \(f.fieldPath) -> \(item.path)"
            case .resource(let r): "      \(r.resource) -> \(item.path)"
            }
        }
    }
}
