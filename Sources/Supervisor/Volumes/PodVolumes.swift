import ContainerRuntime
import Foundation
import Glibc
import PodSpec

/// Sets up a pod's volumes under `<root>/pods/<pod>/volumes/<volume>/` before its containers
/// start, as the kubelet's volume manager does (pkg/volume/emptydir, configmap, secret,
/// downwardapi, projected):
///
/// - emptyDir: a directory (0777); with `medium: Memory`, a tmpfs mounted there.
/// - configMap, downwardAPI: the atomic writer's files in a directory of the pod (on disk, as the
///   kubelet's wrapped emptyDir).
/// - secret, projected: the same files on a tmpfs of the volume's own, never on a disk.
///
/// Done once per pod; a volume already set up (a daemon that took the pod over) is left as it
/// is. Mounts go away with the pod's directory (`PodStore.remove`).
struct PodVolumes {
    let pod: Pod
    let store: PodStore
    let payload: VolumePayload
    /// The pod's `securityContext.fsGroup`.
    let fsGroup: Int64?

    /// A volume that could not be set up, with the kubelet's error text.
    struct Failure: Sendable, Equatable {
        var volume: String
        var message: String
    }

    /// Every volume that can be set up is; the others are returned (the caller retries them).
    func setUp() -> [Failure] {
        var failures: [Failure] = []
        for volume in pod.spec.volumes {
            do { try setUp(volume) } catch {
                failures.append(Failure(volume: volume.name, message: "\(error)"))
            }
        }
        return failures
    }

    func setUp(_ volume: Volume) throws {
        let dir = store.volumeDir(pod.name, volume.name)
        switch volume.source {
        case .hostPath:
            return
        case .emptyDir(let emptyDir):
            let fresh = !FileManager.default.fileExists(atPath: dir)
            try makeDirectory(dir)
            if emptyDir.medium == .memory { try mountTmpfs(dir, sizeLimit: emptyDir.sizeLimit) }
            // setupDir: the mode is 0777 whatever the umask (and a tmpfs's default 1777).
            try check(chmod(dir, 0o777), "chmod \(dir)")
            // Only while no container has written to it: a walk of a volume a container can
            // change could be led by a symlink swapped in between lstat and chmod.
            if fresh, let fsGroup { try VolumeOwnership.apply(root: dir, fsGroup: fsGroup, readOnly: false) }
        case .configMap, .downwardAPI, .secret, .projected:
            let tmpfs = Self.isTmpfsBacked(volume.source)
            let written = FileManager.default.fileExists(atPath: dir + "/..data")
            if written, !tmpfs || MountTable.isMountPoint(dir) { return }
            // Read before anything is made: a volume whose ConfigMap is missing leaves nothing.
            let files = try payload.files(volume.source)
            try makeDirectory(dir)
            if tmpfs { try mountTmpfs(dir, sizeLimit: nil) }
            try check(chmod(dir, 0o777), "chmod \(dir)")
            try AtomicWriter.write(files, into: dir)
            if let fsGroup { try VolumeOwnership.apply(root: dir, fsGroup: fsGroup, readOnly: true) }
        }
    }

    /// The kubelet wraps secret and projected volumes in a Memory emptyDir.
    static func isTmpfsBacked(_ source: VolumeSource) -> Bool {
        switch source {
        case .secret, .projected: true
        case .emptyDir(let e): e.medium == .memory
        case .configMap, .downwardAPI, .hostPath: false
        }
    }

    /// The volumes are mounted read-only into containers whatever the mount says.
    static func isReadOnly(_ source: VolumeSource) -> Bool {
        switch source {
        case .configMap, .secret, .downwardAPI, .projected: true
        case .emptyDir, .hostPath: false
        }
    }

    private func makeDirectory(_ dir: String) throws {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }

    private func mountTmpfs(_ dir: String, sizeLimit: Quantity?) throws {
        guard !MountTable.isMountPoint(dir) else { return }
        let size = Self.memoryVolumeSize(pod: pod, sizeLimit: sizeLimit,
                                         nodeMemory: Int64(ProcessInfo.processInfo.physicalMemory))
        guard mount("tmpfs", dir, "tmpfs", 0, "size=\(size)") == 0 else {
            throw SupervisorError("mount of tmpfs on \(dir) failed: \(Errno.current)")
        }
    }

    /// The kubelet's `calculateEmptyDirMemorySize` (SizeMemoryBackedVolumes, GA in 1.32): the
    /// node's memory, or the pod's memory limit when every container has one and it is smaller,
    /// or the volume's `sizeLimit` when that is smaller still.
    static func memoryVolumeSize(pod: Pod, sizeLimit: Quantity?, nodeMemory: Int64) -> Int64 {
        var size = nodeMemory
        let limits = pod.spec.containers.map(\.resources.limits.memoryBytes)
        if !limits.isEmpty, limits.allSatisfy({ $0 != nil }) {
            let podLimit = limits.reduce(Int64(0)) { $0 + ($1 ?? 0) }
            if podLimit > 0, podLimit <= size { size = podLimit }
        }
        if let limit = sizeLimit?.value, limit > 0, limit <= size { size = limit }
        return size
    }

    private func check(_ result: Int32, _ step: String) throws {
        if result != 0 { throw SupervisorError("\(step): \(Errno.current)") }
    }
}
