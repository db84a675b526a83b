import ContainerRuntime
import Foundation

/// The files of one container instance under the pod's directory: its OCI config, overlay
/// layer and log. `prepare` runs on the spawn thread, just before the clone.
struct InstanceFiles: Sendable {
    let store: PodStore
    let pod: String
    let container: String
    let number: Int

    var bundle: String { store.podDir(pod) }
    var layer: String { store.layerDir(pod, container, instance: number) }
    var overlay: RootfsOverlay { RootfsOverlay(upper: layer + "/upper", work: layer + "/work") }
    var logPath: String { store.logPath(pod, container, instance: number) }

    /// Writes the config `exec` reads, makes the layer and log directories, and drops the
    /// instance before the previous one: the kubelet keeps the current and the previous.
    func prepare(spec: OCISpec) throws {
        let files = FileManager.default
        try files.createDirectory(atPath: store.podDir(pod) + "/containers", withIntermediateDirectories: true)
        try Data(SpecEncoder.encode(spec).serialized(pretty: true))
            .write(to: URL(fileURLWithPath: store.containerSpecPath(pod, container)))
        for d in ["upper", "work"] { try files.createDirectory(atPath: layer + "/" + d, withIntermediateDirectories: true) }
        try TerminationMessage.createFile(self)
        try files.createDirectory(atPath: store.logDir(pod, container), withIntermediateDirectories: true)
        if number >= 2 {
            let old = number - 2
            try? files.removeItem(atPath: store.layerDir(pod, container, instance: old))
            try? files.removeItem(atPath: store.logPath(pod, container, instance: old))
            try? files.removeItem(atPath: store.logPath(pod, container, instance: old) + ".1")
        }
    }
}
