import Foundation

/// `<root>/daemon.lock`: held by the daemon for its whole life, and by a `delete` that cleans up
/// by itself while no daemon runs. A daemon that starts meanwhile waits for that delete to end
/// instead of taking over pods that are being torn down under it (and making them new sandboxes).
public enum RootLock {
    public static func path(root: String) -> String { root + "/daemon.lock" }

    /// The lock's fd, or nil when someone else holds it (`wait` false) or it cannot be opened.
    public static func acquire(root: String, wait: Bool) -> Int32? {
        let fd = open(path(root: root), O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return nil }
        while flock(fd, LOCK_EX | (wait ? 0 : LOCK_NB)) != 0 {
            if errno == EINTR { continue }
            close(fd)
            return nil
        }
        return fd
    }

    public static func release(_ fd: Int32) {
        flock(fd, LOCK_UN)
        close(fd)
    }
}
