import GoFormat
import Yams

/// One YAML document to one Pod: type, metadata and spec.
enum PodDecoder {
    /// The pod when the document is valid, and its name whenever it could be read (error
    /// messages name the pod).
    static func decode(_ document: Node, baseDirectory: String,
                       diagnostics: Diagnostics) -> (name: String?, pod: Pod?) {
        guard let root = ObjectReader(document, at: .root, schema: .pod, diagnostics: diagnostics) else {
            return (nil, nil)
        }
        checkType(root)
        let metadata = decodeMetadata(root.object("metadata", schema: .objectMeta), diagnostics: diagnostics)
        let spec = PodSpecDecoder.decode(root.object("spec", schema: .podSpec), baseDirectory: baseDirectory,
                                         diagnostics: diagnostics)
        let name = metadata.name.isEmpty ? nil : metadata.name
        guard diagnostics.isEmpty else { return (name, nil) }
        return (name, Pod(metadata: metadata, spec: spec))
    }

    /// `apiVersion: v1`, `kind: Pod`, exactly: any other pair names another type, even `kind: pod`.
    private static func checkType(_ root: ObjectReader) {
        for (field, expected) in [("apiVersion", "v1"), ("kind", "Pod")] {
            let path = FieldPath(field)
            switch root.string(field) {
            case expected?:
                continue
            case let other?:
                root.diagnostics.undecodable(path, .string(other), "must be \(goQuoted(expected))")
            case nil where !root.has(field):
                root.diagnostics.missing(path, "must be \(goQuoted(expected))")
            case nil:
                continue // the wrong type is already reported
            }
        }
    }

    static func decodeMetadata(_ metadata: ObjectReader?, diagnostics: Diagnostics) -> ObjectMeta {
        let path = FieldPath("metadata")
        guard let metadata else {
            diagnostics.required(path.child("name"), "name or generateName is required")
            return ObjectMeta(name: "")
        }
        let name = metadata.string("name") ?? ""
        if name.isEmpty {
            diagnostics.required(path.child("name"), "name or generateName is required")
        } else {
            diagnostics.invalid(path.child("name"), name, NameRules.dns1123Subdomain(name))
        }

        var namespace = metadata.string("namespace") ?? ""
        if namespace.isEmpty {
            namespace = "default"
        } else {
            diagnostics.invalid(path.child("namespace"), namespace, NameRules.dns1123Label(namespace))
        }

        var labels: [String: String] = [:]
        for (key, value) in metadata.stringMap("labels") {
            diagnostics.invalid(path.child("labels"), key, NameRules.qualifiedName(key))
            diagnostics.invalid(path.child("labels"), value, NameRules.labelValue(value))
            labels[key] = value
        }
        var annotations: [String: String] = [:]
        for (key, value) in metadata.stringMap("annotations") {
            // Annotation keys are compared case-insensitively, as Kubernetes does.
            diagnostics.invalid(path.child("annotations"), key, NameRules.qualifiedName(key.lowercased()))
            annotations[key] = value
        }
        return ObjectMeta(name: name, namespace: namespace, labels: labels, annotations: annotations)
    }
}
