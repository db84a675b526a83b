import PodSpec
import Supervisor

/// `delete configmap|secret NAME` and the ConfigMaps and Secrets of `delete -f FILE`: files of
/// the state root, removed with or without a daemon.
enum ConfigDeletion {
    static func delete(_ objects: [(kind: ConfigStore.Kind, name: String)], root: String,
                       namespace: String = "default") throws(CLIError) {
        if objects.isEmpty { throw CLIError.error("resource(s) were provided, but no name was specified") }
        let failures = objects.compactMap { delete($0.kind, $0.name, namespace: namespace, root: root) }
        if !failures.isEmpty { throw CLIError(failures.joined(separator: "\n")) }
    }

    /// The file's ConfigMaps and Secrets (pods are deleted by the caller); the errors.
    static func deleteObjects(inFile path: String, root: String) -> [String] {
        guard let manifest = try? PodFile.loadManifest(path: path) else { return [] }  // reported with the pods
        let objects = manifest.configMaps.map { (ConfigStore.Kind.configMap, $0.name, $0.namespace) }
            + manifest.secrets.map { (ConfigStore.Kind.secret, $0.name, $0.namespace) }
        return objects.compactMap { delete($0.0, $0.1, namespace: $0.2, root: root) }
    }

    /// Prints kubectl's `configmap "x" deleted`; the error otherwise.
    private static func delete(_ kind: ConfigStore.Kind, _ name: String, namespace: String, root: String) -> String? {
        do {
            try ConfigStore(root: root).delete(kind, namespace: namespace, name: name)
            writeStdout("\(ConfigArguments.singular(kind)) \"\(name)\" deleted\n")
            return nil
        } catch {
            return "\(error)"
        }
    }
}
