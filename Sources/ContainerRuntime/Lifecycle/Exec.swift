#if canImport(Glibc)
import Glibc
#endif
import CShims
import Cgroups

/// A process started inside a running container (`exec`): the caller's child, in the
/// container's namespaces and cgroup, with the container's security settings.
/// Unchecked Sendable: the pidfd is fixed; waiting and signalling are single syscalls on it.
public final class ExecProcess: @unchecked Sendable {
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
        while true {
            if let s = exitStatus(block: true) { return s }
        }
    }

    /// The exit status once the process has exited; 255 if it cannot be known (reaped elsewhere).
    public func exitStatus(block: Bool) -> ExitStatus? {
        var status: Int32 = 0
        let r = sl_pidfd_wait(pidfd, block ? 0 : 1, &status)
        if r == -EAGAIN { return nil }
        return ExitStatus(waitStatus: r == 0 ? status : 255 << 8, oomKilled: false)
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
    /// linux.seccomp: exec'd processes get the same filter as the init. With
    /// `ownPIDNamespace` the process is the init of a nested pid namespace, so that killing it
    /// kills everything it started (exec probes that time out). `executable` is the program to
    /// execute when it is not process.args[0] (OCI hooks: `path` and argv are separate).
    /// `executableFD` (an O_PATH fd opened by the caller, in its own mount namespace) is executed
    /// instead of any path: execveat(AT_EMPTY_PATH). It is CLOEXEC in the child, which is fine for
    /// ELF binaries; a script's interpreter cannot reopen it (execveat fails with ENOENT).
    /// `seccompCacheDirectory`: see LaunchOptions.
    public static func start(_ location: ContainerLocation, process: OCISpec.Process, seccomp: OCISpec.Seccomp?,
                             stdio: Stdio? = nil, ownPIDNamespace: Bool = false,
                             dieWithParent: Bool = true, consoleSocket: Int32? = nil,
                             preserveFDs: Int32 = 0, executable: String? = nil,
                             executableFD: Int32? = nil, seccompCacheDirectory: String? = nil) throws(RuntimeError) -> ExecProcess {
        _ = sl_set_dumpable(0)   // before entering any container namespace (CVE-2019-5736)
        let target = try location.openInit()
        let channels = try SpawnChannels(terminal: process.terminal, consoleSocket: consoleSocket,
                                         cgroup: Cgroup(paths: location.cgroup))

        let arena = CArena()
        var config = sl_spawn_config()
        config.cgroup_fd = channels.cgroupFD
        config.procs_fds = arena.copy(channels.joinFDs)
        config.n_procs_fds = Int32(channels.joinFDs.count)
        config.error_fd = channels.errorWrite
        config.console_socket_fd = channels.consoleForChild
        config.die_with_parent = dieWithParent ? 1 : 0
        try ProcessPlanner.fill(&config.process, from: process, seccomp: seccomp,
                                seccompCache: seccompCacheDirectory, stdio: stdio, arena: arena)
            .forEach(RuntimeWarnings.report)
        config.process.new_pidns = ownPIDNamespace ? 1 : 0
        config.process.preserve_fds = preserveFDs
        if let executable { config.process.path = arena.string(executable) }
        if let executableFD {
            config.process.exec_by_fd = 1
            config.process.exec_fd = executableFD
        }

        var result = sl_spawn_result()
        var saved = sigset_t()
        _ = sl_signals_block_all(&saved)
        let rc = sl_spawn_exec(&config, target.rawValue, &result)
        _ = sl_signals_restore(&saved)
        guard rc == 0 else { throw .system(step: "clone3 of the exec process", errno: Errno(-rc)) }
        channels.closeChildEnds()

        switch try channels.readReport() {
        case .failed(let e, let pid):
            // The forked process (if any) exited 127 after reporting; it is our child: reap it.
            if let pid {
                var status: Int32 = 0
                _ = waitpid(pid, &status, 0)
            }
            let subject = ProcessSubject.describe(stage: e.stage, index: e.index, process: config.process)
            throw .child(stage: e.stage, errno: Errno(e.err), subject: subject)
        case .ready, .hooksPoint: throw .state("the exec process reported a stop it was never asked to make")
        case .started(let pid):
            guard let pid else { throw .state("the exec process did not report its pid") }
            let pidfd = sl_pidfd_open(pid)
            guard pidfd >= 0 else { throw .system(step: "opening a pidfd of the exec process", errno: Errno(-pidfd)) }
            var console: Int32? = nil
            if channels.receivesConsole {
                do throws(RuntimeError) { console = try channels.receiveConsole() } catch {
                    _ = sl_pidfd_send_signal(pidfd, SIGKILL)
                    var status: Int32 = 0
                    _ = sl_pidfd_wait(pidfd, 0, &status)
                    close(pidfd)
                    throw error
                }
            }
            return ExecProcess(pid: pid, pidfd: pidfd, consoleFD: console)
        }
    }
}
