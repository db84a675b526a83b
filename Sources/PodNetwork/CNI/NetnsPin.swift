import Foundation
import Glibc

/// Pinning a pod's network namespace (containerd's pkg/netns): /proc/<pid>/ns/net is bind-mounted
/// onto a file, so the namespace outlives every process in it and DEL always has a path.
public enum NetnsPin {
    /// Creates `path` (parent directories 0700, an empty file) and bind-mounts the network
    /// namespace of `pid` onto it. An existing `path` is an error.
    public static func pin(pid: Int32, at path: String) throws(NetworkError) {
        func failure(_ step: String, _ code: Int32) -> NetworkError {
            NetworkError("cannot pin the network namespace of process \(pid) at \(path): \(step): \(String(cString: strerror(code)))")
        }
        let parent = (path as NSString).deletingLastPathComponent
        if !parent.isEmpty, !FileManager.default.fileExists(atPath: parent) {
            do {
                try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            } catch {
                throw NetworkError("cannot pin the network namespace of process \(pid) at \(path): cannot create \(parent): \(error.localizedDescription)")
            }
        }
        let fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o444)
        guard fd >= 0 else { throw failure("create", errno) }
        close(fd)
        guard mount("/proc/\(pid)/ns/net", path, "none", UInt(MS_BIND), nil) == 0 else {
            let code = errno
            unlink(path)
            throw failure("bind mount /proc/\(pid)/ns/net", code)
        }
    }

    /// Unmounts (MNT_DETACH, every stacked mount) and removes `path`; a missing one is fine.
    public static func unpin(_ path: String) {
        for _ in 0..<8 where umount2(path, Int32(MNT_DETACH)) == 0 {}
        unlink(path)
    }

    /// Whether `path` is a network namespace (a pinned one, or any nsfs file such as /proc/N/ns/net).
    public static func isPinned(_ path: String) -> Bool {
        guard !path.isEmpty else { return false }
        var own = stat()
        var target = stat()
        // nsfs is one internal filesystem: every namespace file reports its device.
        guard stat("/proc/self/ns/net", &own) == 0, stat(path, &target) == 0 else { return false }
        return target.st_dev == own.st_dev && target.st_mode & S_IFMT == S_IFREG
    }
}
