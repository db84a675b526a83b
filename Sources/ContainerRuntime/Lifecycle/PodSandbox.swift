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

    /// Starts the pause process. With `dieWithParent` it dies with the calling thread; with
    /// `cloneParent` it is our parent's child (swiftlet-keeper's), which reaps it.
    /// With `sharedPID` it is also pid 1 of a new pid namespace for the pod's containers.
    public init(hostname: String, hostNetwork: Bool = false, dieWithParent: Bool = true,
                cloneParent: Bool = false, sharedPID: Bool = false) throws(RuntimeError) {
        var result = sl_spawn_result()
        let r = sl_sandbox_spawn_pid(hostname, hostNetwork ? 1 : 0, sharedPID ? 1 : 0, dieWithParent ? 1 : 0,
                                     cloneParent ? 1 : 0, &result)
        guard r == 0 else { throw .system(step: "creating the pod sandbox \(hostname)", errno: Errno(-r)) }
        pid = result.pid
        pidfd = result.pidfd
    }

    private init(pid: Int32, pidfd: Int32) {
        self.pid = pid
        self.pidfd = pidfd
    }

    /// The pause process a previous daemon started, by pid and /proc start time; nil when gone.
    public static func adopt(pid: Int32, startTime: UInt64) -> PodSandbox? {
        let fd = sl_pidfd_open(pid)
        guard fd >= 0 else { return nil }
        guard ProcStat.startTime(pid: pid) == startTime, ProcStat.isRunning(pid: pid) else {
            close(fd)
            return nil
        }
        return PodSandbox(pid: pid, pidfd: fd)
    }

    deinit {
        stop()
        close(pidfd)
    }

    /// Readable once the pause process has exited (a pidfd), for an epoll loop to wait on. Valid
    /// while this object lives.
    public var exitFD: Int32 { pidfd }

    /// The path of one of its namespaces, for OCI `linux.namespaces[].path` ("net", "uts", "ipc",
    /// and "pid" for a sandbox made with `sharedPID`).
    public func namespacePath(_ type: String) -> String { "/proc/\(pid)/ns/\(type)" }

    /// True while the pause process (and so the namespaces) exists.
    public var isAlive: Bool {
        var status: Int32 = 0
        guard !reaped else { return false }
        let r = sl_pidfd_wait(pidfd, 1, &status)
        // Not our child (the keeper's): a pidfd polls readable once the process has exited.
        if r == -ECHILD { return !Self.pollReadable(pidfd, timeoutMS: 0) }
        return r == -EAGAIN
    }

    /// Kills the pause process and reaps it, or (the keeper's child) waits until it has exited;
    /// the namespaces go with the last process in them.
    public func stop() {
        guard !reaped else { return }
        _ = sl_pidfd_send_signal(pidfd, SIGKILL)
        var status: Int32 = 0
        if sl_pidfd_wait(pidfd, 0, &status) == -ECHILD { _ = Self.pollReadable(pidfd, timeoutMS: 5000) }
        reaped = true
    }

    private static func pollReadable(_ fd: Int32, timeoutMS: Int32) -> Bool {
        var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        while true {
            let r = poll(&p, 1, timeoutMS)
            if r < 0 && errno == EINTR { continue }
            return r > 0
        }
    }
}
