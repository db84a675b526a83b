import GoFormat

/// One problem with one field, printed the way the Kubernetes API server prints a `field.Error`:
/// `spec.containers[0].livenessProbe.periodSeconds: Invalid value: 0: must be greater than or equal to 1`.
/// Unknown fields print as strict decoding does: `unknown field "spec.containers[0].httpGet"`.
public struct FieldError: Sendable, Equatable, CustomStringConvertible {
    /// The offending value as it appears in the message.
    public enum Value: Sendable, Equatable, CustomStringConvertible {
        /// Printed quoted, as Go's `%q`.
        case string(String)
        case int(Int64)
        case bool(Bool)
        /// Printed as is: a YAML scalar that is not a string, or `object` / `list`.
        case literal(String)

        public var description: String {
            switch self {
            case .string(let string): goQuoted(string)
            case .int(let int): String(int)
            case .bool(let bool): String(bool)
            case .literal(let text): text
            }
        }
    }

    /// The kinds of `field.ErrorType` swiftlet reports, plus strict decoding's unknown field.
    public enum Kind: Sendable, Equatable {
        case unknownField
        /// Nil leaves the value out, for rules about a whole object.
        case invalid(Value?)
        /// A value outside an enumeration; lists the accepted values.
        case unsupported(Value, supported: [String])
        case duplicate(Value)
        case notFound(Value)
        case required
        case forbidden
        /// A size limit, in bytes (ConfigMaps and Secrets).
        case tooLong(bytes: Int)
    }

    /// The field path in kubectl's notation; empty for the document itself.
    public let path: String
    public let kind: Kind
    public let detail: String

    init(_ path: FieldPath, _ kind: Kind, _ detail: String = "") {
        self.path = path.description
        self.kind = kind
        self.detail = detail
    }

    /// Everything after `path: ` (for an unknown field, the whole line).
    public var message: String {
        let body: String
        switch kind {
        case .unknownField: return "unknown field \(goQuoted(path))"
        case .invalid(let value?): body = "Invalid value: \(value)"
        case .invalid(nil): body = "Invalid value"
        case .unsupported(let value, let supported):
            let list = supported.map(goQuoted).joined(separator: ", ")
            body = "Unsupported value: \(value)" + (supported.isEmpty ? "" : ": supported values: \(list)")
        case .duplicate(let value): body = "Duplicate value: \(value)"
        case .notFound(let value): body = "Not found: \(value)"
        case .required: body = "Required value"
        case .forbidden: body = "Forbidden"
        case .tooLong(let bytes): body = "Too long: may not be more than \(bytes) bytes"
        }
        return detail.isEmpty ? body : body + ": " + detail
    }

    public var description: String {
        if case .unknownField = kind { return message }
        return path.isEmpty ? message : "\(path): \(message)"
    }
}
