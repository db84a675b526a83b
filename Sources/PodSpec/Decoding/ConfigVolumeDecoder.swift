/// `configMap`, `secret`, `downwardAPI` and `projected` volumes, validated as the API server's
/// `validateConfigMapVolumeSource`, `validateSecretVolumeSource`, `validateDownwardAPIVolumeSource`
/// and `validateProjectedVolumeSource` do (pkg/apis/core/validation/validation.go), with its messages.
enum ConfigVolumeDecoder {
    static let fileModeErrorMessage = "must be a number between 0 and 0777 (octal), both inclusive"

    static func configMap(_ source: ObjectReader, defaultMode: Int32? = nil) -> ConfigMapVolumeSource {
        let name = source.string("name") ?? ""
        if name.isEmpty { source.diagnostics.required(source.path.child("name")) }
        return ConfigMapVolumeSource(name: name, items: keyToPaths(source),
                                     defaultMode: defaultMode ?? mode(source, "defaultMode") ?? defaultVolumeFileMode,
                                     optional: source.bool("optional") ?? false)
    }

    static func secret(_ source: ObjectReader) -> SecretVolumeSource {
        let name = source.string("secretName") ?? ""
        if name.isEmpty { source.diagnostics.required(source.path.child("secretName")) }
        return SecretVolumeSource(secretName: name, items: keyToPaths(source),
                                  defaultMode: mode(source, "defaultMode") ?? defaultVolumeFileMode,
                                  optional: source.bool("optional") ?? false)
    }

    /// A projected secret names its Secret `name`, not `secretName`.
    static func secretProjection(_ source: ObjectReader) -> SecretVolumeSource {
        let name = source.string("name") ?? ""
        if name.isEmpty { source.diagnostics.required(source.path.child("name")) }
        return SecretVolumeSource(secretName: name, items: keyToPaths(source), optional: source.bool("optional") ?? false)
    }

    /// Item errors name the `downwardAPI` field itself, without the item's index, as the API
    /// server's do (`spec.volumes[0].downwardAPI.path: Required value`).
    static func downwardAPI(_ source: ObjectReader) -> DownwardAPIVolumeSource {
        let items = source.objects("items", schema: .downwardAPIVolumeFile).compactMap { downwardAPIFile($0, reportAt: source.path) }
        return DownwardAPIVolumeSource(items: items, defaultMode: mode(source, "defaultMode") ?? defaultVolumeFileMode)
    }

    static func projected(_ source: ObjectReader) -> ProjectedVolumeSource {
        let diagnostics = source.diagnostics
        var sources: [ProjectedVolumeSource.Source] = []
        // Every file of every source needs a path of its own.
        var allPaths: Set<String> = []
        func claim(_ path: String, _ value: String) {
            guard !path.isEmpty else { return }
            if !allPaths.insert(path).inserted {
                diagnostics.invalid(source.path, .string(value), "conflicting duplicate paths")
            }
        }
        for projection in source.objects("sources", schema: .volumeProjection) {
            let kinds = ["secret", "configMap", "downwardAPI"].filter(projection.has)
            if kinds.isEmpty, projection.unsupportedPresent.isEmpty {
                diagnostics.required(projection.path, "must specify exactly 1 volume type")
            }
            for extra in kinds.dropFirst() {
                diagnostics.forbidden(projection.path.child(extra), "may not specify more than 1 volume type per source")
            }
            switch kinds.first {
            case "secret":
                guard let reader = projection.object("secret", schema: .secretProjection) else { continue }
                let secret = secretProjection(reader)
                for item in secret.items { claim(item.path, secret.secretName) }
                sources.append(.secret(secret))
            case "configMap":
                guard let reader = projection.object("configMap", schema: .configMapProjection) else { continue }
                let configMap = configMap(reader, defaultMode: defaultVolumeFileMode)
                for item in configMap.items { claim(item.path, configMap.name) }
                sources.append(.configMap(configMap))
            case "downwardAPI":
                guard let reader = projection.object("downwardAPI", schema: .downwardAPIProjection) else { continue }
                let items = reader.objects("items", schema: .downwardAPIVolumeFile).compactMap { downwardAPIFile($0, reportAt: reader.path) }
                for item in items { claim(item.path, item.path) }
                sources.append(.downwardAPI(DownwardAPIVolumeSource(items: items)))
            default:
                continue
            }
        }
        return ProjectedVolumeSource(sources: sources, defaultMode: mode(source, "defaultMode") ?? defaultVolumeFileMode)
    }

    // MARK: Items

    /// `validateKeyToPath`.
    private static func keyToPaths(_ source: ObjectReader) -> [KeyToPath] {
        source.objects("items", schema: .keyToPath).map { item in
            let key = item.string("key") ?? ""
            let path = item.string("path") ?? ""
            if key.isEmpty { item.diagnostics.required(item.path.child("key")) }
            if path.isEmpty { item.diagnostics.required(item.path.child("path")) }
            localNonReservedPath(path, at: item.path.child("path"), item.diagnostics)
            return KeyToPath(key: key, path: path, mode: mode(item, "mode"))
        }
    }

    /// `validateDownwardAPIVolumeFile`: errors at `reportAt` (the volume's `downwardAPI`).
    private static func downwardAPIFile(_ item: ObjectReader, reportAt at: FieldPath) -> DownwardAPIVolumeFile? {
        let diagnostics = item.diagnostics
        let path = item.string("path") ?? ""
        if path.isEmpty { diagnostics.required(at.child("path")) }
        localNonReservedPath(path, at: at.child("path"), diagnostics)
        var value: DownwardAPIVolumeFile.Value?
        let fieldRef = item.object("fieldRef", schema: .volumeFieldRef)
        let resourceRef = item.object("resourceFieldRef", schema: .volumeResourceFieldRef)
        if let fieldRef {
            value = fieldSelector(fieldRef, at: at.child("fieldRef")).map { .field($0) }
            if resourceRef != nil {
                diagnostics.invalid(at, .string("resource"), "fieldRef and resourceFieldRef can not be specified simultaneously")
            }
        } else if let resourceRef {
            value = resourceSelector(resourceRef, at: at.child("resourceFieldRef")).map { .resource($0) }
        } else if !item.has("fieldRef"), !item.has("resourceFieldRef") {
            diagnostics.required(at, "one of fieldRef and resourceFieldRef is required")
        }
        let mode = mode(item, "mode", reportAt: at.child("mode"))
        return value.map { DownwardAPIVolumeFile(path: path, value: $0, mode: mode) }
    }

    /// `validateObjectFieldSelector` with the volume's field paths.
    private static func fieldSelector(_ selector: ObjectReader, at: FieldPath) -> ObjectFieldSelector? {
        let diagnostics = selector.diagnostics
        let apiVersion = selector.string("apiVersion") ?? "v1"
        let fieldPath = selector.string("fieldPath") ?? ""
        guard !apiVersion.isEmpty else { diagnostics.required(at.child("apiVersion")); return nil }
        guard !fieldPath.isEmpty else { diagnostics.required(at.child("fieldPath")); return nil }
        guard apiVersion == "v1" else {
            diagnostics.invalid(at.child("fieldPath"), .string(fieldPath),
                                "error converting fieldPath: unsupported pod version: \(apiVersion)")
            return nil
        }
        for prefix in ["metadata.labels", "metadata.annotations"] {
            if let key = DownwardAPI.subscriptKey(fieldPath, of: prefix) {
                diagnostics.invalid(at, key, NameRules.qualifiedName(key))
                return ObjectFieldSelector(apiVersion: apiVersion, fieldPath: fieldPath)
            }
        }
        // The field labels ConvertDownwardAPIFieldLabel knows for v1 pods; the volume takes fewer.
        let known = DownwardAPI.envFieldPaths + ["metadata.labels", "metadata.annotations", "spec.host",
                                                 "spec.restartPolicy", "spec.schedulerName", "status.phase"]
        guard known.contains(fieldPath) else {
            diagnostics.invalid(at.child("fieldPath"), .string(fieldPath),
                                "error converting fieldPath: field label not supported: \(fieldPath)")
            return nil
        }
        guard DownwardAPI.volumeFieldPaths.contains(fieldPath) else {
            diagnostics.unsupported(at.child("fieldPath"), fieldPath, supported: DownwardAPI.volumeFieldPaths)
            return nil
        }
        return ObjectFieldSelector(apiVersion: apiVersion, fieldPath: fieldPath)
    }

    /// `validateContainerResourceFieldSelector` for volumes (`containerName` required) and
    /// `validateContainerResourceDivisor`.
    private static func resourceSelector(_ selector: ObjectReader, at: FieldPath) -> ResourceFieldSelector? {
        let diagnostics = selector.diagnostics
        let containerName = selector.string("containerName") ?? ""
        let resource = selector.string("resource") ?? ""
        let divisor = selector.quantity("divisor")
        if containerName.isEmpty {
            diagnostics.required(at.child("containerName"))
        } else if resource.isEmpty {
            diagnostics.required(at.child("resource"))
        } else if !DownwardAPI.resources.contains(resource) {
            diagnostics.unsupported(at.child("resource"), resource, supported: DownwardAPI.resources)
        }
        if let divisor, !divisorIsValid(divisor, for: resource) {
            let message = switch resource {
            case "limits.cpu", "requests.cpu": "only divisor's values 1m and 1 are supported with the cpu resource"
            case "limits.memory", "requests.memory":
                "only divisor's values 1, 1k, 1M, 1G, 1T, 1P, 1E, 1Ki, 1Mi, 1Gi, 1Ti, 1Pi, 1Ei are supported with the memory resource"
            default:
                "only divisor's values 1, 1k, 1M, 1G, 1T, 1P, 1E, 1Ki, 1Mi, 1Gi, 1Ti, 1Pi, 1Ei are supported with the local ephemeral storage resource"
            }
            diagnostics.invalid(at.child("divisor"), .literal(divisor.description), message)
        }
        guard !containerName.isEmpty, DownwardAPI.resources.contains(resource) else { return nil }
        return ResourceFieldSelector(containerName: containerName, resource: resource, divisor: divisor)
    }

    private static func divisorIsValid(_ divisor: Quantity, for resource: String) -> Bool {
        let allowed = resource.hasSuffix(".cpu") ? ["1m", "1"]
            : ["1", "1k", "1M", "1G", "1T", "1P", "1E", "1Ki", "1Mi", "1Gi", "1Ti", "1Pi", "1Ei"]
        return allowed.contains { (try? Quantity($0)) == divisor }
    }

    // MARK: Paths and modes

    /// `ValidateLocalNonReservedPath`: relative, no `..` element, not starting with `..` (the
    /// atomic writer's own `..data` and timestamped directories).
    private static func localNonReservedPath(_ path: String, at: FieldPath, _ diagnostics: Diagnostics) {
        guard !path.isEmpty else { return }
        diagnostics.invalid(at, path, PathRules.relativeWithoutBacksteps(path))
        if path.hasPrefix("..") { diagnostics.invalid(at, .string(path), "must not start with '..'") }
    }

    /// A file mode as kubectl reads it: decimal (`420`), or octal with a leading zero (`0644`,
    /// YAML 1.1 as go-yaml reads it) or `0o644`; 0...0777.
    static func mode(_ object: ObjectReader, _ key: String, reportAt: FieldPath? = nil) -> Int32? {
        guard let node = object.node(key) else { return nil }
        let at = object.path.child(key)
        guard let scalar = ScalarValue(node), scalar.kind == .integer, let value = parseMode(scalar.text) else {
            object.diagnostics.undecodable(at, node.errorValue, "must be a file mode: 0644 (octal) or 420 (decimal)")
            return nil
        }
        guard (0...0o777).contains(value) else {
            object.diagnostics.invalid(reportAt ?? at, .int(value), fileModeErrorMessage)
            return nil
        }
        return Int32(value)
    }

    private static func parseMode(_ text: String) -> Int64? {
        let negative = text.hasPrefix("-")
        var digits = Substring(negative || text.hasPrefix("+") ? text.dropFirst() : Substring(text))
        var radix = 10
        if digits.hasPrefix("0o") {
            digits = digits.dropFirst(2)
            radix = 8
        } else if digits.count > 1, digits.hasPrefix("0") {
            radix = 8
        }
        guard !digits.isEmpty, let value = Int64(digits, radix: radix), value <= Int64(Int32.max) else { return nil }
        return negative ? -value : value
    }
}
