#if canImport(Glibc)
import Glibc
#endif
import CShims
import Cgroups

/// A process started inside a running container (`exec`): the caller's child, in the
/// container's namespaces and cgroup, with the container's security settings.
public final class ExecProcess {
    public let pid: Int32
    public let consoleFD: Int32?
    private let pidfd: Int32

    init(pid: Int32, pidfd: Int32, consoleFD: Int32?) {
        self.pid = pid
        self.pidfd = pidfd
        self.consoleFD = consoleFD
    }

    deinit {
        close(pidfd)
        if let c = consoleFD { close(c) }
    }

    public var exitFD: Int32 { pidfd }

    public func signal(_ sig: Int32) {
        _ = sl_pidfd_send_signal(pidfd, sig)
    }

    /// Blocks until the process exits.
    public func wait() -> ExitStatus {
        var status: Int32 = 0
        while sl_pidfd_wait(pidfd, 0, &status) == -EAGAIN {}
        return ExitStatus(waitStatus: status, oomKilled: false)
    }

    public func exitStatus(block: Bool) -> ExitStatus? {
        var status: Int32 = 0
        guard sl_pidfd_wait(pidfd, block ? 0 : 1, &status) == 0 else { return nil }
        return ExitStatus(waitStatus: status, oomKilled: false)
    }
}

/// Where a running container is, as recorded when it started.
public struct ContainerLocation: Sendable {
    public var pid: Int32
    public var startTime: UInt64
    public var cgroup: CgroupPaths
    public init(pid: Int32, startTime: UInt64, cgroup: CgroupPaths) {
        self.pid = pid
        self.startTime = startTime
        self.cgroup = cgroup
    }

    /// A pidfd of the init, refusing a pid that now names another process.
    public func openInit() throws(RuntimeError) -> FileDescriptor {
        let fd = sl_pidfd_open(pid)
        guard fd >= 0 else { throw .state("the container's init (pid \(pid)) is not running") }
        // Checked after opening: the pidfd pins the process, so the check cannot go stale.
        guard ProcStat.startTime(pid: pid) == startTime else {
            close(fd)
            throw .state("the container's init (pid \(pid)) is not running")
        }
        return FileDescriptor(adopting: fd)
    }
}

public enum Exec {
    /// Starts `process` inside the container at `location`. `seccomp` is the container's
    /// linux.seccomp: exec'd processes get the same filter as the init.
    public static func start(_ location: ContainerLocation, process: OCISpec.Process, seccomp: OCISpec.Seccomp?,
                             dieWithParent: Bool = true) throws(RuntimeError) -> ExecProcess {
        _ = sl_set_dumpable(0)   // before entering any container namespace (CVE-2019-5736)
        let target = try location.openInit()
        let cgroup = Cgroup(paths: location.cgroup)
        let fds = DescriptorSet()
        let (v2, joins) = try CgroupFDs.open(cgroup, into: fds)

        var pipe: [Int32] = [-1, -1]
        guard sl_pipe_cloexec(&pipe) == 0 else { throw .system(step: "creating the start-up pipe", errno: .current) }
        let readEnd = FileDescriptor(adopting: pipe[0])
        var writeEnd: Int32? = pipe[1]
        defer { if let w = writeEnd { close(w) } }
        var sock: [Int32] = [-1, -1]
        if process.terminal {
            let r = sl_socketpair_cloexec(&sock)
            guard r == 0 else { throw .system(step: "creating the console socket", errno: Errno(-r)) }
            fds.adopt(sock[0])
            fds.adopt(sock[1])
        }

        let arena = CArena()
        var config = sl_spawn_config()
        config.cgroup_fd = v2
        config.procs_fds = arena.copy(joins)
        config.n_procs_fds = Int32(joins.count)
        config.error_fd = pipe[1]
        config.console_socket_fd = process.terminal ? sock[1] : -1
        config.die_with_parent = dieWithParent ? 1 : 0
        try ProcessPlanner.fill(&config.process, from: process, seccomp: seccomp, arena: arena)

        var result = sl_spawn_result()
        var saved = sigset_t()
        _ = sl_signals_block_all(&saved)
        let rc = sl_spawn_exec(&config, target.rawValue, &result)
        _ = sl_signals_restore(&saved)
        guard rc == 0 else { throw .system(step: "clone3 of the exec process", errno: Errno(-rc)) }
        close(pipe[1])
        writeEnd = nil

        switch try ChildReport.read(from: readEnd.rawValue) {
        case .failed(let e, let pid):
            // The forked process (if any) exited 127 after reporting; it is our child: reap it.
            if let pid {
                var status: Int32 = 0
                _ = waitpid(pid, &status, 0)
            }
            let subject = ProcessSubject.describe(stage: e.stage, index: e.index, process: config.process)
            throw .child(stage: e.stage, errno: Errno(e.err), subject: subject)
        case .started(let pid):
            guard let pid else { throw .state("the exec process did not report its pid") }
            let pidfd = sl_pidfd_open(pid)
            guard pidfd >= 0 else { throw .system(step: "opening a pidfd of the exec process", errno: Errno(-pidfd)) }
            var console: Int32? = nil
            if process.terminal {
                let fd = sl_recv_fd(sock[0])
                if fd >= 0 { console = fd }
            }
            return ExecProcess(pid: pid, pidfd: pidfd, consoleFD: console)
        }
    }
}
