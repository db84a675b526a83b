import Yams

/// Typed values from YAML nodes. A node of the wrong type is a decoding error, as it is for
/// `kubectl apply`; the messages add how to fix it.
enum ValueDecoder {
    static func string(_ node: Node, at path: FieldPath, _ diagnostics: Diagnostics) -> String? {
        guard let scalar = ScalarValue(node) else {
            diagnostics.undecodable(path, node.errorValue, "must be a string")
            return nil
        }
        switch scalar.kind {
        case .string:
            return scalar.text
        case .ambiguousBoolean:
            diagnostics.undecodable(path, scalar.errorValue,
                                    "must be a string; quote it, as YAML 1.1 reads it as a boolean")
        case .integer, .float, .boolean, .null:
            diagnostics.undecodable(path, scalar.errorValue, "must be a string; quote it")
        }
        return nil
    }

    static func bool(_ node: Node, at path: FieldPath, _ diagnostics: Diagnostics) -> Bool? {
        guard let scalar = ScalarValue(node), scalar.kind == .boolean else {
            diagnostics.undecodable(path, node.errorValue, "must be a boolean: true or false")
            return nil
        }
        return scalar.text.lowercased() == "true"
    }

    /// A decimal integer that fits the field's width. Octal, hexadecimal and `1_000` forms are
    /// refused: YAML 1.1 and 1.2 disagree on them.
    static func integer(_ node: Node, at path: FieldPath, bits: Int, _ diagnostics: Diagnostics) -> Int64? {
        guard let scalar = ScalarValue(node), scalar.kind == .integer else {
            diagnostics.undecodable(path, node.errorValue, "must be an integer")
            return nil
        }
        guard isDecimal(scalar.text), let value = Int64(scalar.text) else {
            let detail = isDecimal(scalar.text) ? "must fit in a 64-bit integer" : "must be a decimal integer"
            diagnostics.undecodable(path, scalar.errorValue, detail)
            return nil
        }
        if bits == 32, Int32(exactly: value) == nil {
            diagnostics.undecodable(path, scalar.errorValue, "must fit in a 32-bit integer")
            return nil
        }
        return value
    }

    /// Kubernetes' `IntOrString` for ports: a YAML integer is a number, a YAML string a name.
    static func port(_ node: Node, at path: FieldPath, _ diagnostics: Diagnostics) -> PortReference? {
        if let scalar = ScalarValue(node), scalar.kind == .string {
            return .name(scalar.text)
        }
        guard let scalar = ScalarValue(node), scalar.kind == .integer else {
            diagnostics.undecodable(path, node.errorValue, "must be a port number or a port name")
            return nil
        }
        return integer(node, at: path, bits: 32, diagnostics).map { .number(Int($0)) }
    }

    /// A quantity may be written as a YAML string or number; it is parsed from the text as written,
    /// so `0.1` never passes through floating point.
    static func quantity(_ node: Node, at path: FieldPath, _ diagnostics: Diagnostics) -> Quantity? {
        guard let scalar = ScalarValue(node), [.string, .integer, .float].contains(scalar.kind) else {
            diagnostics.undecodable(path, node.errorValue, "must be a quantity such as 500m or 128Mi")
            return nil
        }
        do {
            return try Quantity(scalar.text)
        } catch {
            diagnostics.undecodable(path, .string(scalar.text), error.description)
            return nil
        }
    }

    /// Leading zeros are refused too: `010` is 8 to YAML 1.1 and 10 to YAML 1.2.
    private static func isDecimal(_ text: String) -> Bool {
        let digits = text.first == "-" || text.first == "+" ? text.dropFirst() : Substring(text)
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return false }
        return digits == "0" || digits.first != "0"
    }
}
