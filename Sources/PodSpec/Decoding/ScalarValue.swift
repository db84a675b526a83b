import Yams

/// A YAML scalar typed the way `kubectl` reads YAML (YAML 1.1 resolution, as go-yaml v2 does), so
/// that a value kubectl would refuse for a field is refused here too, and none is silently
/// converted: `value: 8080` is a number, not the string "8080".
struct ScalarValue {
    enum Kind {
        case string
        case integer
        case float
        /// `true` / `false` (any case YAML 1.2 allows).
        case boolean
        /// `yes`, `no`, `on`, `off`: booleans to YAML 1.1, strings to YAML 1.2. Accepted as neither,
        /// so the file means the same to every reader.
        case ambiguousBoolean
        case null
    }

    let text: String
    let kind: Kind

    init?(_ node: Node) {
        guard case .scalar(let scalar) = node else { return nil }
        text = scalar.string
        switch node.tag.rawValue {
        case Tag.Name.int.rawValue: kind = .integer
        case Tag.Name.float.rawValue: kind = .float
        case Tag.Name.null.rawValue: kind = .null
        case Tag.Name.bool.rawValue:
            kind = ["true", "True", "TRUE", "false", "False", "FALSE"].contains(text) ? .boolean : .ambiguousBoolean
        default:
            // Strings, timestamps (go-yaml keeps them as strings), and explicitly tagged values.
            kind = .string
        }
    }

    /// The value as an error message shows it: strings quoted, everything else as written.
    var errorValue: FieldError.Value {
        kind == .string ? .string(text) : .literal(text)
    }
}

extension Node {
    var isNull: Bool { ScalarValue(self)?.kind == .null }

    /// How an error message shows a value of the wrong type.
    var errorValue: FieldError.Value {
        switch self {
        case .mapping: .literal("object")
        case .sequence: .literal("list")
        case .scalar, .alias: ScalarValue(self)?.errorValue ?? .literal("?")
        }
    }
}
