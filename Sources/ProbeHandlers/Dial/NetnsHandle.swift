import CShims
import Glibc
import Synchronization

/// CLONE_NEWNET from <sched.h>; Glibc's Swift module does not export it.
let cloneNewNet: CInt = 0x4000_0000

/// An open network-namespace file. Reference-counted so that `release` never closes an fd a
/// dial thread is about to `setns` into: the fd closes when the last user lets go.
final class NetnsHandle: Sendable {
    let path: String
    let fd: CInt

    init(path: String) throws(NetnsError) {
        let fd = sl_open_ns_path(path)
        guard fd >= 0 else { throw NetnsError(path: path, reason: errnoText(-fd)) }
        let type = sl_ns_type(fd)
        guard type == cloneNewNet else {
            close(fd)
            let reason = type < 0 ? errnoText(-type) : "not a network namespace"
            throw NetnsError(path: path, reason: reason)
        }
        self.path = path
        self.fd = fd
    }

    deinit { close(fd) }
}

/// One open fd per pod namespace, keyed by path, so probes don't reopen /proc files each time.
final class NetnsCache: Sendable {
    private let handles = Mutex<[String: NetnsHandle]>([:])

    func handle(for path: String) throws(NetnsError) -> NetnsHandle {
        if let cached = handles.withLock({ $0[path] }) { return cached }
        // Opened outside the lock; a racing opener's handle wins and ours closes on deinit.
        let opened = try NetnsHandle(path: path)
        return handles.withLock { table in
            if let winner = table[path] { return winner }
            table[path] = opened
            return opened
        }
    }

    /// Forget the namespace (pod gone). In-flight dials keep their reference until they finish.
    func release(_ path: String) {
        _ = handles.withLock { $0.removeValue(forKey: path) }
    }

    func removeAll() {
        handles.withLock { $0.removeAll() }
    }
}
