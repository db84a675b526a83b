/// Kubernetes' format rules (`k8s.io/apimachinery/pkg/util/validation`), each returning the
/// API server's messages, empty when the value is valid.
enum NameRules {
    static func dns1123Label(_ value: String) -> [String] {
        var errors: [String] = []
        if value.utf8.count > 63 { errors.append(maxLength(63)) }
        if !isDNS1123Label(value) {
            errors.append(isDNS1123Subdomain(value)
                ? "must not contain dots"
                : regexError("a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character",
                             "[a-z0-9]([-a-z0-9]*[a-z0-9])?", examples: ["my-name", "123-abc"]))
        }
        return errors
    }

    static func dns1123Subdomain(_ value: String) -> [String] {
        var errors: [String] = []
        if value.utf8.count > 253 { errors.append(maxLength(253)) }
        if !isDNS1123Subdomain(value) {
            errors.append(regexError("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character",
                                     "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*",
                                     examples: ["example.com"]))
        }
        return errors
    }

    /// An IANA service name, as a port name must be.
    static func portName(_ value: String) -> [String] {
        var errors: [String] = []
        let bytes = Array(value.utf8)
        if bytes.count > 15 { errors.append(maxLength(15)) }
        if bytes.isEmpty || !bytes.allSatisfy({ isLowerAlphanumeric($0) || $0 == UInt8(ascii: "-") }) {
            errors.append("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)")
        }
        if !bytes.contains(where: { $0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z") }) {
            errors.append("must contain at least one letter (a-z)")
        }
        if value.contains("--") { errors.append("must not contain consecutive hyphens") }
        if bytes.first == UInt8(ascii: "-") || bytes.last == UInt8(ascii: "-") {
            errors.append("must not begin or end with a hyphen")
        }
        return errors
    }

    /// Kubernetes' relaxed rule (GA since 1.34): anything `execve` can carry in a name.
    static func environmentVariableName(_ value: String) -> [String] {
        let valid = value.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value < 0x7F && $0 != "=" }
        return valid ? [] : ["a valid environment variable name must consist only of printable ASCII characters other than '='"]
    }

    static func httpHeaderName(_ value: String) -> [String] {
        let bytes = Array(value.utf8)
        let valid = !bytes.isEmpty && bytes.allSatisfy { isAlphanumeric($0) || $0 == UInt8(ascii: "-") }
        return valid ? [] : [regexError("a valid HTTP header must consist of alphanumeric characters or '-'",
                                        "[-A-Za-z0-9]+", examples: ["X-Header-Name"])]
    }

    /// A label or annotation key: an optional DNS subdomain prefix and `/`, then a name.
    static func qualifiedName(_ value: String) -> [String] {
        let parts = value.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        var errors: [String] = []
        let name: String
        switch parts.count {
        case 1:
            name = value
        case 2:
            name = parts[1]
            if parts[0].isEmpty {
                errors.append("prefix part must be non-empty")
            } else {
                errors += dns1123Subdomain(parts[0]).map { "prefix part " + $0 }
            }
        default:
            return ["a valid label key " + qualifiedNameRegexError
                    + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"]
        }
        if name.isEmpty {
            errors.append("name part must be non-empty")
        } else if name.utf8.count > 63 {
            errors.append("name part " + maxLength(63))
        }
        if !isQualifiedNamePart(name) { errors.append("name part " + qualifiedNameRegexError) }
        return errors
    }

    static func labelValue(_ value: String) -> [String] {
        var errors: [String] = []
        if value.utf8.count > 63 { errors.append(maxLength(63)) }
        if !value.isEmpty, !isQualifiedNamePart(value) {
            errors.append(regexError("a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
                                     "(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?",
                                     examples: ["MyValue", "my_value", "12345"]))
        }
        return errors
    }

    // MARK: Helpers

    private static let qualifiedNameRegexError = regexError(
        "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
        "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]", examples: ["MyName", "my.name", "123-abc"])

    /// Kubernetes' `RegexError`, double spaces before "or" included.
    static func regexError(_ message: String, _ regex: String, examples: [String]) -> String {
        let quoted = examples.map { "'\($0)', " }.joined(separator: " or ")
        return message + " (e.g. " + quoted + "regex used for validation is '" + regex + "')"
    }

    static func maxLength(_ length: Int) -> String {
        "must be no more than \(length) characters"
    }

    private static func isDNS1123Label(_ value: String) -> Bool {
        let bytes = Array(value.utf8)
        guard let first = bytes.first, let last = bytes.last,
              isLowerAlphanumeric(first), isLowerAlphanumeric(last) else { return false }
        return bytes.allSatisfy { isLowerAlphanumeric($0) || $0 == UInt8(ascii: "-") }
    }

    private static func isDNS1123Subdomain(_ value: String) -> Bool {
        value.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { isDNS1123Label(String($0)) }
    }

    private static func isQualifiedNamePart(_ value: String) -> Bool {
        let bytes = Array(value.utf8)
        guard let first = bytes.first, let last = bytes.last, isAlphanumeric(first), isAlphanumeric(last) else {
            return false
        }
        return bytes.allSatisfy { isAlphanumeric($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".") }
    }

    private static func isLowerAlphanumeric(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        isLowerAlphanumeric(byte) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
    }
}
