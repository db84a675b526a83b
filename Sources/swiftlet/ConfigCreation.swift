import PodSpec
import Supervisor

/// Stores a file's ConfigMaps and Secrets in the state root, printing kubectl's
/// `configmap/x created` for each.
enum ConfigCreation {
    /// Without `replacing`, an existing name is refused with kubectl's AlreadyExists text and the
    /// other objects are still created, as `kubectl create -f` does; the errors are thrown together.
    static func store(_ manifest: Manifest, root: String, replacing: Bool) throws(CLIError) {
        let store = ConfigStore(root: root)
        var failures: [String] = []
        for map in manifest.configMaps {
            do {
                let existed = store.configMap(namespace: map.namespace, name: map.name) != nil
                try store.save(map, replacing: replacing)
                writeStdout("configmap/\(map.name) \(existed ? "configured" : "created")\n")
            } catch {
                failures.append("\(error)")
            }
        }
        for secret in manifest.secrets {
            do {
                let existed = store.secret(namespace: secret.namespace, name: secret.name) != nil
                try store.save(secret, replacing: replacing)
                writeStdout("secret/\(secret.name) \(existed ? "configured" : "created")\n")
            } catch {
                failures.append("\(error)")
            }
        }
        if !failures.isEmpty { throw CLIError(failures.joined(separator: "\n")) }
    }
}
