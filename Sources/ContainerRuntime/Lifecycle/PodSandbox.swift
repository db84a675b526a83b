#if canImport(Glibc)
import Glibc
#endif
import CShims

/// A pod's sandbox: a pause process holding new network, uts and ipc namespaces (lo up, the
/// hostname set). The pod's containers join them by path, so every instance of a container,
/// restarts included, lives in the same network namespace and keeps its address.
public final class PodSandbox {
    public let pid: Int32
    private let pidfd: Int32
    private var reaped = false

    /// Starts the pause process. With `dieWithParent` it dies with the calling thread.
    public init(hostname: String, hostNetwork: Bool = false, dieWithParent: Bool = true) throws(RuntimeError) {
        var result = sl_spawn_result()
        let r = sl_sandbox_spawn(hostname, hostNetwork ? 1 : 0, dieWithParent ? 1 : 0, &result)
        guard r == 0 else { throw .system(step: "creating the pod sandbox \(hostname)", errno: Errno(-r)) }
        pid = result.pid
        pidfd = result.pidfd
    }

    deinit {
        stop()
        close(pidfd)
    }

    /// Readable once the pause process has exited (a pidfd), for an epoll loop to wait on. Valid
    /// while this object lives.
    public var exitFD: Int32 { pidfd }

    /// The path of one of its namespaces, for OCI `linux.namespaces[].path` ("net", "uts", "ipc").
    public func namespacePath(_ type: String) -> String { "/proc/\(pid)/ns/\(type)" }

    /// True while the pause process (and so the namespaces) exists.
    public var isAlive: Bool {
        var status: Int32 = 0
        return !reaped && sl_pidfd_wait(pidfd, 1, &status) == -EAGAIN
    }

    /// Kills the pause process and reaps it; the namespaces go with the last process in them.
    public func stop() {
        guard !reaped else { return }
        _ = sl_pidfd_send_signal(pidfd, SIGKILL)
        var status: Int32 = 0
        _ = sl_pidfd_wait(pidfd, 0, &status)
        reaped = true
    }
}
