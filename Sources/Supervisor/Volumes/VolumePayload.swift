import Foundation
import PodSpec

/// The files of `configMap`, `secret`, `downwardAPI` and `projected` volumes, computed as the
/// kubelet's volume plugins compute them (pkg/volume/configmap MakePayload, secret MakePayload,
/// downwardapi CollectData, projected collectData), with their error messages.
struct VolumePayload {
    let pod: Pod
    let objects: any ConfigObjectSource
    let context: DownwardAPIContext

    /// A mount that cannot be set up yet: the kubelet retries it, and so do we.
    struct SetUpError: Error, CustomStringConvertible {
        var description: String
    }

    func files(_ source: VolumeSource) throws -> [String: FileProjection] {
        switch source {
        case .configMap(let c): return try configMap(c, defaultMode: c.defaultMode)
        case .secret(let s): return try secret(s, defaultMode: s.defaultMode)
        case .downwardAPI(let d): return try downwardAPI(d.items, defaultMode: d.defaultMode)
        case .projected(let p): return try projected(p)
        case .emptyDir, .hostPath: return [:]
        }
    }

    func configMap(_ source: ConfigMapVolumeSource, defaultMode: Int32) throws -> [String: FileProjection] {
        guard let object = objects.configMap(namespace: pod.metadata.namespace, name: source.name) else {
            if source.optional { return [:] }
            throw SetUpError(description: "configmap \"\(source.name)\" not found")
        }
        var all: [String: [UInt8]] = object.binaryData
        for (key, value) in object.data { all[key] = Array(value.utf8) }
        return try keys(all, source.items, defaultMode: defaultMode, optional: source.optional,
                        missing: "configmap references non-existent config key")
    }

    func secret(_ source: SecretVolumeSource, defaultMode: Int32) throws -> [String: FileProjection] {
        guard let object = objects.secret(namespace: pod.metadata.namespace, name: source.secretName) else {
            if source.optional { return [:] }
            throw SetUpError(description: "secret \"\(source.secretName)\" not found")
        }
        return try keys(object.data, source.items, defaultMode: defaultMode, optional: source.optional,
                        missing: "references non-existent secret key")
    }

    /// Every key when `items` is empty; else the items, a missing key an error unless optional.
    private func keys(_ values: [String: [UInt8]], _ items: [KeyToPath], defaultMode: Int32, optional: Bool,
                      missing: String) throws -> [String: FileProjection] {
        var payload: [String: FileProjection] = [:]
        if items.isEmpty {
            for (key, data) in values { payload[key] = FileProjection(data: data, mode: mode_t(defaultMode)) }
            return payload
        }
        for item in items {
            guard let data = values[item.key] else {
                if optional { continue }
                throw SetUpError(description: "\(missing): \(item.key)")
            }
            payload[item.path] = FileProjection(data: data, mode: mode_t(item.mode ?? defaultMode))
        }
        return payload
    }

    func downwardAPI(_ items: [DownwardAPIVolumeFile], defaultMode: Int32) throws -> [String: FileProjection] {
        var payload: [String: FileProjection] = [:]
        var errors: [String] = []
        for item in items {
            var value = ""
            switch item.value {
            case .field(let selector):
                if let text = DownwardAPI.fieldValue(selector.fieldPath, pod: pod, context: context) {
                    value = text
                } else {
                    errors.append("unsupported fieldPath: \(selector.fieldPath)")
                }
            case .resource(let selector):
                if let container = pod.spec.containers.first(where: { $0.name == selector.containerName }),
                   let text = DownwardAPI.resourceValue(selector, container: container, context: context) {
                    value = text
                } else {
                    errors.append("container \(selector.containerName) not found")
                }
            }
            payload[Self.clean(item.path)] = FileProjection(data: Array(value.utf8), mode: mode_t(item.mode ?? defaultMode))
        }
        if !errors.isEmpty { throw SetUpError(description: Self.aggregate(errors)) }
        return payload
    }

    /// Each source's files; the errors of every source together.
    func projected(_ source: ProjectedVolumeSource) throws -> [String: FileProjection] {
        var payload: [String: FileProjection] = [:]
        var errors: [String] = []
        for projection in source.sources {
            do {
                let files = switch projection {
                case .configMap(let c): try configMap(c, defaultMode: source.defaultMode)
                case .secret(let s): try secret(s, defaultMode: source.defaultMode)
                case .downwardAPI(let d): try downwardAPI(d.items, defaultMode: source.defaultMode)
                }
                payload.merge(files) { $1 }
            } catch {
                errors.append("\(error)")
            }
        }
        if !errors.isEmpty { throw SetUpError(description: Self.aggregate(errors)) }
        return payload
    }

    /// Go's `filepath.Clean` of a relative path validation already freed of `..`.
    static func clean(_ path: String) -> String {
        path.split(separator: "/").filter { $0 != "." }.joined(separator: "/")
    }

    /// `utilerrors.NewAggregate`: one error as itself, several as `[a, b]`.
    static func aggregate(_ errors: [String]) -> String {
        errors.count == 1 ? errors[0] : "[" + errors.joined(separator: ", ") + "]"
    }
}
