import GoFormat

/// A container's `env` and `envFrom`, validated as the API server does
/// (pkg/apis/core/validation/validation.go: ValidateEnv, validateEnvVarValueFrom, ValidateEnvFrom).
enum EnvDecoder {
    static func env(_ container: ObjectReader) -> [EnvVar] {
        container.objects("env", schema: .envVar).map { variable in
            let name = variable.string("name") ?? ""
            if name.isEmpty {
                variable.diagnostics.required(variable.path.child("name"))
            } else {
                variable.diagnostics.invalid(variable.path.child("name"), name,
                                             NameRules.environmentVariableName(name))
            }
            let value = variable.string("value") ?? ""
            let source = variable.object("valueFrom", schema: .envVarSource).flatMap { valueFrom($0, value: value) }
            return EnvVar(name: name, value: value, valueFrom: source)
        }
    }

    static func envFrom(_ container: ObjectReader) -> [EnvFromSource] {
        let listPath = container.path.child("envFrom")
        return container.objects("envFrom", schema: .envFromSource).compactMap { entry in
            let diagnostics = entry.diagnostics
            let prefix = entry.string("prefix") ?? ""
            if !prefix.isEmpty {
                diagnostics.invalid(entry.path.child("prefix"), prefix, NameRules.environmentVariableName(prefix))
            }
            var objects: [EnvFromSource.Object] = []
            if let reader = entry.object("configMapRef", schema: .envFromObject) {
                let (name, optional) = objectReference(reader)
                objects.append(.configMap(name: name, optional: optional))
            }
            if let reader = entry.object("secretRef", schema: .envFromObject) {
                let (name, optional) = objectReference(reader)
                objects.append(.secret(name: name, optional: optional))
            }
            // The API server names the list, not the entry, here.
            guard let object = objects.first else {
                diagnostics.invalid(listPath, .string(""), "must specify one of: `configMapRef` or `secretRef`")
                return nil
            }
            if objects.count > 1 {
                diagnostics.invalid(listPath, .string(""), "may not have more than one field specified at a time")
            }
            return EnvFromSource(prefix: prefix, object: object)
        }
    }

    // MARK: valueFrom

    private static func valueFrom(_ reader: ObjectReader, value: String) -> EnvVarSource? {
        var sources: [EnvVarSource] = []
        if let fieldRef = reader.object("fieldRef", schema: .objectFieldSelector) {
            sources += fieldSelector(fieldRef).map { [.fieldRef($0)] } ?? []
        }
        if let resourceRef = reader.object("resourceFieldRef", schema: .resourceFieldSelector) {
            sources += resourceSelector(resourceRef).map { [.resourceFieldRef($0)] } ?? []
        }
        if let keyRef = reader.object("configMapKeyRef", schema: .keySelector) {
            sources.append(.configMapKeyRef(keyReference(keyRef)))
        }
        if let keyRef = reader.object("secretKeyRef", schema: .keySelector) {
            sources.append(.secretKeyRef(keyReference(keyRef)))
        }
        let count = ["fieldRef", "resourceFieldRef", "configMapKeyRef", "secretKeyRef"].filter(reader.has).count
        if count == 0 {
            reader.diagnostics.invalid(reader.path, .string(""),
                                       "must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`")
        } else if !value.isEmpty {
            reader.diagnostics.invalid(reader.path, .string(""), "may not be specified when `value` is not empty")
        } else if count > 1 {
            reader.diagnostics.invalid(reader.path, .string(""), "may not have more than one field specified at a time")
        }
        return sources.first
    }

    /// Paths the downward API converts (pkg/api/v1/pod ConvertDownwardAPIFieldLabel); only
    /// `DownwardAPI.envFieldPaths` are valid in `env`.
    private static let convertibleFieldPaths: Set<String> = Set(DownwardAPI.envFieldPaths).union(
        ["metadata.annotations", "metadata.labels", "spec.restartPolicy", "spec.schedulerName", "status.phase"])

    private static func fieldSelector(_ reader: ObjectReader) -> ObjectFieldSelector? {
        let diagnostics = reader.diagnostics
        // The API server defaults apiVersion to v1.
        let apiVersion = reader.string("apiVersion").flatMap { $0.isEmpty ? nil : $0 } ?? "v1"
        let fieldPath = reader.string("fieldPath") ?? ""
        let path = reader.path
        guard !fieldPath.isEmpty else {
            diagnostics.required(path.child("fieldPath"))
            return nil
        }
        guard apiVersion == "v1" else {
            diagnostics.invalid(path.child("fieldPath"), .string(fieldPath),
                                "error converting fieldPath: unsupported pod version: \(apiVersion)")
            return nil
        }
        if let split = splitSubscript(fieldPath) {
            let key = split.1
            switch split.0 {
            case "metadata.annotations":
                diagnostics.invalid(path, key, NameRules.qualifiedName(key.lowercased()))
            case "metadata.labels":
                diagnostics.invalid(path, key, NameRules.qualifiedName(key))
            default:
                diagnostics.invalid(path.child("fieldPath"), .string(fieldPath),
                                    "error converting fieldPath: field label does not support subscript: \(fieldPath)")
                return nil
            }
        } else if !convertibleFieldPaths.contains(fieldPath) {
            diagnostics.invalid(path.child("fieldPath"), .string(fieldPath),
                                "error converting fieldPath: field label not supported: \(fieldPath)")
            return nil
        } else if !DownwardAPI.envFieldPaths.contains(fieldPath) {
            diagnostics.unsupported(path.child("fieldPath"), fieldPath, supported: DownwardAPI.envFieldPaths)
            return nil
        }
        return ObjectFieldSelector(apiVersion: apiVersion, fieldPath: fieldPath)
    }

    /// `metadata.labels['app']` → (`metadata.labels`, `app`), as fieldpath.SplitMaybeSubscriptedPath.
    static func splitSubscript(_ fieldPath: String) -> (String, String)? {
        guard fieldPath.hasSuffix("']") else { return nil }
        let trimmed = fieldPath.dropLast(2)
        guard let open = trimmed.range(of: "['") else { return nil }
        let prefix = String(trimmed[..<open.lowerBound])
        guard !prefix.isEmpty else { return nil }
        return (prefix, String(trimmed[open.upperBound...]))
    }

    private static let cpuDivisors = ["1m", "1"]
    private static let memoryDivisors = ["1", "1k", "1M", "1G", "1T", "1P", "1E", "1Ki", "1Mi", "1Gi", "1Ti", "1Pi", "1Ei"]

    /// validateContainerResourceFieldSelector and validateContainerResourceDivisor (env: no
    /// containerName required). Huge pages are not a resource swiftlet has.
    static func resourceSelector(_ reader: ObjectReader) -> ResourceFieldSelector? {
        let diagnostics = reader.diagnostics
        let path = reader.path
        let containerName = reader.string("containerName") ?? ""
        let resource = reader.string("resource") ?? ""
        var divisor = reader.quantity("divisor")
        if divisor?.isZero == true { divisor = nil }  // unset: the kubelet divides by 1
        var valid = true
        if resource.isEmpty {
            diagnostics.required(path.child("resource"))
            valid = false
        } else if !DownwardAPI.resources.contains(resource) {
            diagnostics.unsupported(path.child("resource"), resource, supported: DownwardAPI.resources)
            valid = false
        }
        if let divisor {
            let (accepted, message): ([String], String) = switch resource {
            case "limits.cpu", "requests.cpu":
                (cpuDivisors, "only divisor's values 1m and 1 are supported with the cpu resource")
            case "limits.memory", "requests.memory":
                (memoryDivisors, "only divisor's values 1, 1k, 1M, 1G, 1T, 1P, 1E, 1Ki, 1Mi, 1Gi, 1Ti, 1Pi, 1Ei are supported with the memory resource")
            case "limits.ephemeral-storage", "requests.ephemeral-storage":
                (memoryDivisors, "only divisor's values 1, 1k, 1M, 1G, 1T, 1P, 1E, 1Ki, 1Mi, 1Gi, 1Ti, 1Pi, 1Ei are supported with the local ephemeral storage resource")
            default:
                ([], "")
            }
            // Compared by value, as the API server compares the canonical forms (1000m is 1).
            if !message.isEmpty, !accepted.contains(where: { (try? Quantity($0)) == divisor }) {
                diagnostics.invalid(path.child("divisor"), .string(resource), message)
                valid = false
            }
        }
        guard valid else { return nil }
        return ResourceFieldSelector(containerName: containerName, resource: resource, divisor: divisor)
    }

    // MARK: ConfigMaps and Secrets

    private static func keyReference(_ reader: ObjectReader) -> KeyReference {
        let name = reader.string("name") ?? ""
        reader.diagnostics.invalid(reader.path.child("name"), name, NameRules.dns1123Subdomain(name))
        let key = reader.string("key") ?? ""
        if key.isEmpty {
            reader.diagnostics.required(reader.path.child("key"))
        } else {
            reader.diagnostics.invalid(reader.path.child("key"), key, NameRules.configMapKey(key))
        }
        return KeyReference(name: name, key: key, optional: reader.bool("optional") ?? false)
    }

    private static func objectReference(_ reader: ObjectReader) -> (String, Bool) {
        let name = reader.string("name") ?? ""
        if name.isEmpty {
            reader.diagnostics.required(reader.path.child("name"))
        } else {
            reader.diagnostics.invalid(reader.path.child("name"), name, NameRules.dns1123Subdomain(name))
        }
        return (name, reader.bool("optional") ?? false)
    }
}
