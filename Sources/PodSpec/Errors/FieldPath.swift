/// A path to a field in kubectl's notation: `spec.containers[0].livenessProbe.httpGet`,
/// `metadata.labels[app]`, `spec.containers[0].resources.limits[memory]`.
struct FieldPath: Sendable, Hashable, CustomStringConvertible {
    let description: String

    /// The document itself; errors about it print without a path.
    static let root = FieldPath(rendered: "")

    private init(rendered: String) {
        description = rendered
    }

    init(_ name: String) {
        description = name
    }

    func child(_ name: String) -> FieldPath {
        FieldPath(rendered: description.isEmpty ? name : description + "." + name)
    }

    func index(_ index: Int) -> FieldPath {
        FieldPath(rendered: description + "[\(index)]")
    }

    /// A map key, unquoted as in `resources.limits[memory]`.
    func key(_ key: String) -> FieldPath {
        FieldPath(rendered: description + "[\(key)]")
    }
}
