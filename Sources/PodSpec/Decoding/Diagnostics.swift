/// Collects the errors of one document while it is decoded and validated.
///
/// Decoding errors (unknown fields, wrong YAML types, unparsable quantities, wrong kind) mean the
/// document is not a `v1` Pod; validation errors mean it is one that breaks a rule. Only the first
/// kind is reported when both occur, as the API server never validates what it cannot decode; that
/// also hides follow-on errors from values the decoder had to drop.
final class Diagnostics {
    private(set) var decodingErrors: [FieldError] = []
    private(set) var validationErrors: [FieldError] = []

    var isEmpty: Bool { decodingErrors.isEmpty && validationErrors.isEmpty }

    // MARK: Decoding

    func unknownField(_ path: FieldPath) {
        decodingErrors.append(FieldError(path, .unknownField))
    }

    /// A field without which the document is not a Pod at all (`apiVersion`, `kind`).
    func missing(_ path: FieldPath, _ detail: String) {
        decodingErrors.append(FieldError(path, .required, detail))
    }

    /// A value of the wrong YAML type, or one that cannot be parsed at all.
    func undecodable(_ path: FieldPath, _ value: FieldError.Value, _ detail: String) {
        decodingErrors.append(FieldError(path, .invalid(value), detail))
    }

    // MARK: Validation

    func invalid(_ path: FieldPath, _ value: FieldError.Value?, _ detail: String) {
        validationErrors.append(FieldError(path, .invalid(value), detail))
    }

    /// One error per message, as Kubernetes reports each broken rule of a name.
    func invalid(_ path: FieldPath, _ value: String, _ messages: [String]) {
        for message in messages { invalid(path, .string(value), message) }
    }

    func required(_ path: FieldPath, _ detail: String = "") {
        validationErrors.append(FieldError(path, .required, detail))
    }

    func forbidden(_ path: FieldPath, _ detail: String) {
        validationErrors.append(FieldError(path, .forbidden, detail))
    }

    func unsupported(_ path: FieldPath, _ value: String, supported: [String]) {
        validationErrors.append(FieldError(path, .unsupported(.string(value), supported: supported)))
    }

    func duplicate(_ path: FieldPath, _ value: String, _ detail: String = "") {
        validationErrors.append(FieldError(path, .duplicate(.string(value)), detail))
    }

    func tooLong(_ path: FieldPath, bytes: Int) {
        validationErrors.append(FieldError(path, .tooLong(bytes: bytes)))
    }

    func notFound(_ path: FieldPath, _ value: String) {
        validationErrors.append(FieldError(path, .notFound(.string(value))))
    }
}
