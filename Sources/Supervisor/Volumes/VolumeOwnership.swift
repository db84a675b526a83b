import ContainerRuntime
import Foundation
import Glibc

/// The kubelet's `SetVolumeOwnership` (pkg/volume/volume_linux.go) for a pod's `fsGroup`: every
/// file and directory of the volume, the root included, is given to the group; files get
/// group read (and write unless the volume is read-only: configMap, secret, downwardAPI,
/// projected), directories also group search and setgid, so new files inherit the group.
/// Symlinks (the atomic writer's `..data` and keys) change group only: a chmod would go
/// through them to their target.
public enum VolumeOwnership {
    static let readWriteMask: mode_t = 0o660
    static let readOnlyMask: mode_t = 0o440
    static let executeMask: mode_t = 0o110

    public static func apply(root: String, fsGroup: Int64, readOnly: Bool) throws {
        try change(root, group: gid_t(truncatingIfNeeded: fsGroup), readOnly: readOnly)
    }

    private static func change(_ path: String, group: gid_t, readOnly: Bool) throws {
        var info = stat()
        guard lstat(path, &info) == 0 else { throw SupervisorError("fsGroup: lstat \(path): \(Errno.current)") }
        guard lchown(path, uid_t.max, group) == 0 else { throw SupervisorError("fsGroup: chown \(path): \(Errno.current)") }
        let type = info.st_mode & S_IFMT
        if type == S_IFLNK { return }
        var mask = readOnly ? readOnlyMask : readWriteMask
        if type == S_IFDIR { mask |= S_ISGID | executeMask }
        guard chmod(path, (info.st_mode & 0o7777) | mask) == 0 else {
            throw SupervisorError("fsGroup: chmod \(path): \(Errno.current)")
        }
        guard type == S_IFDIR else { return }
        for name in try FileManager.default.contentsOfDirectory(atPath: path) {
            try change(path + "/" + name, group: group, readOnly: readOnly)
        }
    }
}
