import GoFormat
import Yams

/// `v1` ConfigMap and Secret documents, decoded as strictly as pods and validated as the API
/// server does (pkg/apis/core/validation/validation.go ValidateConfigMap, ValidateSecret).
enum ConfigObjectDecoder {
    /// Data of one object, all values together: core.MaxSecretSize.
    static let maxSize = 1024 * 1024

    static let configMapSchema = Schema(
        fields: ["apiVersion", "kind", "metadata", "data", "binaryData", "immutable"])
    static let secretSchema = Schema(
        fields: ["apiVersion", "kind", "metadata", "data", "stringData", "type", "immutable"])

    static func configMap(_ document: Node, diagnostics: Diagnostics) -> (name: String?, object: ConfigMap?) {
        guard let root = ObjectReader(document, at: .root, schema: configMapSchema, diagnostics: diagnostics) else {
            return (nil, nil)
        }
        checkAPIVersion(root)
        let metadata = PodDecoder.decodeMetadata(root.object("metadata", schema: .objectMeta), diagnostics: diagnostics)
        var data: [String: String] = [:]
        var binaryData: [String: [UInt8]] = [:]
        for (key, value) in root.stringMap("data") { data[key] = value }
        for entry in root.entries("binaryData") {
            if let bytes = base64Value(entry.node, at: entry.path, diagnostics, redacted: false) { binaryData[entry.key] = bytes }
        }
        let immutable = root.bool("immutable") ?? false
        if diagnostics.decodingErrors.isEmpty {
            var size = 0
            for key in data.keys.sorted() {
                let path = FieldPath("data").key(key)
                diagnostics.invalid(path, key, NameRules.configMapKey(key))
                if binaryData[key] != nil { diagnostics.invalid(path, .string(key), "duplicate of key present in binaryData") }
                size += data[key]!.utf8.count
            }
            for key in binaryData.keys.sorted() {
                let path = FieldPath("binaryData").key(key)
                diagnostics.invalid(path, key, NameRules.configMapKey(key))
                if data[key] != nil { diagnostics.invalid(path, .string(key), "duplicate of key present in data") }
                size += binaryData[key]!.count
            }
            // The API server names the whole object here.
            if size > maxSize { diagnostics.tooLong(.root, bytes: maxSize) }
        }
        let name = metadata.name.isEmpty ? nil : metadata.name
        guard diagnostics.isEmpty else { return (name, nil) }
        return (name, ConfigMap(name: metadata.name, namespace: metadata.namespace, data: data,
                                binaryData: binaryData, immutable: immutable))
    }

    static func secret(_ document: Node, diagnostics: Diagnostics) -> (name: String?, object: Secret?) {
        guard let root = ObjectReader(document, at: .root, schema: secretSchema, diagnostics: diagnostics) else {
            return (nil, nil)
        }
        checkAPIVersion(root)
        let metadata = PodDecoder.decodeMetadata(root.object("metadata", schema: .objectMeta), diagnostics: diagnostics)
        var data: [String: [UInt8]] = [:]
        for entry in root.entries("data") {
            if let bytes = base64Value(entry.node, at: entry.path, diagnostics, redacted: true) { data[entry.key] = bytes }
        }
        // stringData is write-only: merged into data, its keys winning (the v1 conversion).
        for (key, value) in root.stringMap("stringData") { data[key] = Array(value.utf8) }
        let type = root.string("type").flatMap { $0.isEmpty ? nil : $0 } ?? "Opaque"
        let immutable = root.bool("immutable") ?? false
        if diagnostics.decodingErrors.isEmpty {
            let dataPath = FieldPath("data")
            var size = 0
            for key in data.keys.sorted() {
                diagnostics.invalid(dataPath.key(key), key, NameRules.configMapKey(key))
                size += data[key]!.count
            }
            if size > maxSize { diagnostics.tooLong(dataPath, bytes: maxSize) }
            checkType(type, data: data, annotations: metadata.annotations, diagnostics: diagnostics)
        }
        let name = metadata.name.isEmpty ? nil : metadata.name
        guard diagnostics.isEmpty else { return (name, nil) }
        return (name, Secret(name: metadata.name, namespace: metadata.namespace, data: data, type: type,
                             immutable: immutable))
    }

    /// The keys each built-in Secret type requires (ValidateSecret's switch on the type).
    private static func checkType(_ type: String, data: [String: [UInt8]], annotations: [String: String],
                                  diagnostics: Diagnostics) {
        let dataPath = FieldPath("data")
        switch type {
        case "kubernetes.io/service-account-token":
            if (annotations["kubernetes.io/service-account.name"] ?? "").isEmpty {
                diagnostics.required(FieldPath("metadata").child("annotations").key("kubernetes.io/service-account.name"))
            }
        case "kubernetes.io/dockercfg":
            if data[".dockercfg"] == nil { diagnostics.required(dataPath.key(".dockercfg")) }
        case "kubernetes.io/dockerconfigjson":
            if data[".dockerconfigjson"] == nil { diagnostics.required(dataPath.key(".dockerconfigjson")) }
        case "kubernetes.io/basic-auth":
            if data["username"] == nil && data["password"] == nil {
                diagnostics.required(dataPath.key("username"))
                diagnostics.required(dataPath.key("password"))
            }
        case "kubernetes.io/ssh-auth":
            if (data["ssh-privatekey"] ?? []).isEmpty { diagnostics.required(dataPath.key("ssh-privatekey")) }
        case "kubernetes.io/tls":
            if data["tls.crt"] == nil { diagnostics.required(dataPath.key("tls.crt")) }
            if data["tls.key"] == nil { diagnostics.required(dataPath.key("tls.key")) }
        default:
            break
        }
    }

    private static func checkAPIVersion(_ root: ObjectReader) {
        let path = FieldPath("apiVersion")
        switch root.string("apiVersion") {
        case "v1"?: break
        case let other?: root.diagnostics.undecodable(path, .string(other), "must be \(goQuoted("v1"))")
        case nil where !root.has("apiVersion"): root.diagnostics.missing(path, "must be \(goQuoted("v1"))")
        case nil: break
        }
    }

    /// A `[]byte` field: base64 in a string, as encoding/json reads it (line breaks skipped).
    /// A Secret's value is never echoed in an error (the API server writes the same placeholder).
    private static func base64Value(_ node: Node, at path: FieldPath, _ diagnostics: Diagnostics,
                                    redacted: Bool) -> [UInt8]? {
        if node.isNull { return [] }
        guard let text = ValueDecoder.string(node, at: path, diagnostics) else { return nil }
        switch Base64.decode(text) {
        case .success(let bytes):
            return bytes
        case .failure(let offset):
            diagnostics.undecodable(path, .string(redacted ? "<secret contents redacted>" : text),
                                    "illegal base64 data at input byte \(offset)")
            return nil
        }
    }
}
