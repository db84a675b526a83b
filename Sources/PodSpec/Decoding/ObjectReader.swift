import Yams

/// One YAML mapping decoded as one Kubernetes object, strictly: every key must belong to the
/// object's schema, and every value must have the field's type. Problems go to the diagnostics;
/// getters return nil (or an empty list) for a value they could not decode.
///
/// A key whose value is `null` counts as absent, as it does for the API server.
struct ObjectReader {
    let path: FieldPath
    private let values: [String: Node]
    let diagnostics: Diagnostics
    /// Unsupported Kubernetes fields that were present (and already reported).
    let unsupportedPresent: [String]

    init?(_ node: Node, at path: FieldPath, schema: Schema, diagnostics: Diagnostics) {
        guard case .mapping(let mapping) = node else {
            diagnostics.undecodable(path, node.errorValue, "must be an object")
            return nil
        }
        var values: [String: Node] = [:]
        var unsupported: [String] = []
        for entry in mappingEntries(mapping) {
            // Swift compares strings by canonical equivalence, so "configMap\u{212A}eyRef" (a
            // Kelvin sign) would match "configMapKeyRef"; Go compares bytes. Every field name is ASCII.
            if !entry.key.utf8.allSatisfy({ $0 < 0x80 }) {
                diagnostics.unknownField(path.child(entry.key))
            } else if schema.fields.contains(entry.key) {
                values[entry.key] = entry.value
            } else if schema.unsupported.contains(entry.key) {
                guard !entry.value.isNull else { continue }
                unsupported.append(entry.key)
                diagnostics.forbidden(path.child(entry.key), "not supported by swiftlet")
            } else if !schema.ignored.contains(entry.key) {
                diagnostics.unknownField(path.child(entry.key))
            }
        }
        self.path = path
        self.values = values
        self.diagnostics = diagnostics
        self.unsupportedPresent = unsupported
    }

    /// The value of a key, nil when absent or null.
    func node(_ key: String) -> Node? {
        guard let node = values[key], !node.isNull else { return nil }
        return node
    }

    func has(_ key: String) -> Bool { node(key) != nil }

    func string(_ key: String) -> String? {
        node(key).flatMap { ValueDecoder.string($0, at: path.child(key), diagnostics) }
    }

    func bool(_ key: String) -> Bool? {
        node(key).flatMap { ValueDecoder.bool($0, at: path.child(key), diagnostics) }
    }

    /// An `int32` field of the Kubernetes API.
    func int32(_ key: String) -> Int? {
        node(key).flatMap { ValueDecoder.integer($0, at: path.child(key), bits: 32, diagnostics) }.map(Int.init)
    }

    /// An `int64` field of the Kubernetes API.
    func int64(_ key: String) -> Int64? {
        node(key).flatMap { ValueDecoder.integer($0, at: path.child(key), bits: 64, diagnostics) }
    }

    /// An `IntOrString` port: a number, or the name of a container port.
    func port(_ key: String) -> PortReference? {
        node(key).flatMap { ValueDecoder.port($0, at: path.child(key), diagnostics) }
    }

    func quantity(_ key: String) -> Quantity? {
        node(key).flatMap { ValueDecoder.quantity($0, at: path.child(key), diagnostics) }
    }

    func strings(_ key: String) -> [String] {
        list(key).compactMap { ValueDecoder.string($0.node, at: $0.path, diagnostics) }
    }

    /// The entries of a map-valued field (labels, resource lists), in document order, with the
    /// path of each value: `metadata.labels[app]`.
    func entries(_ key: String) -> [(key: String, path: FieldPath, node: Node)] {
        guard let node = node(key) else { return [] }
        guard case .mapping(let mapping) = node else {
            diagnostics.undecodable(path.child(key), node.errorValue, "must be an object")
            return []
        }
        return mappingEntries(mapping).map { ($0.key, path.child(key).key($0.key), $0.value) }
    }

    /// A `map[string]string`; a null value reads as "".
    func stringMap(_ key: String) -> [(key: String, value: String)] {
        entries(key).compactMap { entry in
            if entry.node.isNull { return (entry.key, "") }
            return ValueDecoder.string(entry.node, at: entry.path, diagnostics).map { (entry.key, $0) }
        }
    }

    /// A string field limited to the raw values of an enumeration. Unset or "" gives the
    /// default, as Kubernetes' defaulting does; `supported` lists the values in the order the
    /// API server names them.
    func enumeration<Value: RawRepresentable<String>>(_ key: String, default defaultValue: Value,
                                                      supported: [Value]) -> Value {
        guard let text = string(key), !text.isEmpty else { return defaultValue }
        guard let value = Value(rawValue: text) else {
            diagnostics.unsupported(path.child(key), text, supported: supported.map(\.rawValue))
            return defaultValue
        }
        return value
    }

    func object(_ key: String, schema: Schema) -> ObjectReader? {
        node(key).flatMap { ObjectReader($0, at: path.child(key), schema: schema, diagnostics: diagnostics) }
    }

    /// The elements of a list with their paths.
    func list(_ key: String) -> [(path: FieldPath, node: Node)] {
        guard let node = node(key) else { return [] }
        guard case .sequence(let sequence) = node else {
            diagnostics.undecodable(path.child(key), node.errorValue, "must be a list")
            return []
        }
        return sequence.enumerated().map { (path.child(key).index($0.offset), $0.element) }
    }

    func objects(_ key: String, schema: Schema) -> [ObjectReader] {
        list(key).compactMap { ObjectReader($0.node, at: $0.path, schema: schema, diagnostics: diagnostics) }
    }
}
