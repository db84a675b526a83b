#if canImport(Glibc)
import Glibc
#endif
import CShims
import Cgroups

/// How a container's init ended.
public struct ExitStatus: Sendable, Equatable, CustomStringConvertible {
    /// Exit code when it exited, nil when a signal killed it.
    public var code: Int32?
    /// The signal that killed it.
    public var signal: Int32?
    /// True only when the kernel's OOM killer acted in the container's cgroup.
    public var oomKilled: Bool

    /// Decodes a waitpid status.
    public init(waitStatus s: Int32, oomKilled: Bool) {
        if s & 0x7f == 0 { code = (s >> 8) & 0xff; signal = nil } else { code = nil; signal = s & 0x7f }
        self.oomKilled = oomKilled
    }

    /// The shell convention: the exit code, or 128 + signal.
    public var shellCode: Int32 { code ?? (128 + (signal ?? 0)) }

    public var description: String {
        let base = code.map { "exited with code \($0)" } ?? "killed by signal \(signal ?? 0)"
        return oomKilled ? base + " (OOMKilled)" : base
    }
}

/// File descriptors that become a process's stdin, stdout and stderr (-1: inherit).
public struct Stdio: Sendable, Equatable {
    public var input: Int32
    public var output: Int32
    public var error: Int32
    public init(input: Int32 = -1, output: Int32 = -1, error: Int32 = -1) {
        self.input = input
        self.output = output
        self.error = error
    }
}

/// A writable layer over a read-only image: `upper` receives the container's writes, `work` is
/// overlayfs' scratch directory (same filesystem as `upper`). Both exist and are empty.
public struct RootfsOverlay: Sendable, Equatable {
    public var upper: String
    public var work: String
    public init(upper: String, work: String) {
        self.upper = upper
        self.work = work
    }
}

/// Options for starting a container that are not part of config.json.
public struct LaunchOptions: Sendable {
    /// Kill the container (SIGKILL) when the thread that started it exits (PR_SET_PDEATHSIG).
    /// Start it from a thread that lives as long as the container should.
    public var dieWithParent = true
    /// Pass fds 3 ..< 3+n to the container.
    public var preserveFDs: Int32 = 0
    /// stdio of the container's init; nil inherits the caller's.
    public var stdio: Stdio?
    /// Run on an overlay of the rootfs instead of the rootfs itself.
    public var overlay: RootfsOverlay?
    /// Clone the init as a child of our own parent (CLONE_PARENT): the pod daemon's parent is
    /// swiftlet-keeper, which reaps containers and keeps their exit statuses while no daemon runs.
    /// Such a container is not our child: its status comes from the keeper, not `exitStatus`.
    public var cloneParent = false
    /// `create`: the init stops when everything is set up and execs its program only once a byte
    /// can be read from this fd (the exec fifo, opened read-write so that opening never blocks).
    public var startFD: Int32?
    /// A connected unix socket to send the pty master to (`--console-socket`), instead of
    /// receiving it ourselves.
    public var consoleSocket: Int32?
    /// A SeccompCache directory: a process that starts one container (the CLI) then need not
    /// compile the seccomp profile again. nil: compiled programs are kept in memory only.
    public var seccompCacheDirectory: String?
    /// Called while the init waits before pivot_root, its mounts in place: `create` runs the
    /// createRuntime and createContainer hooks here, with the init's pid and cgroup. Throwing
    /// kills the init and fails the start.
    public var beforePivot: (@Sendable (_ pid: Int32, _ cgroup: CgroupPaths) throws(RuntimeError) -> Void)?
    public init(dieWithParent: Bool = true, preserveFDs: Int32 = 0, stdio: Stdio? = nil, overlay: RootfsOverlay? = nil,
                cloneParent: Bool = false, startFD: Int32? = nil, consoleSocket: Int32? = nil,
                seccompCacheDirectory: String? = nil) {
        self.dieWithParent = dieWithParent
        self.startFD = startFD
        self.consoleSocket = consoleSocket
        self.cloneParent = cloneParent
        self.preserveFDs = preserveFDs
        self.stdio = stdio
        self.overlay = overlay
        self.seccompCacheDirectory = seccompCacheDirectory
    }
}

/// A running container: its init process (by pidfd, so never confused with a reused pid) and
/// its cgroup. The library API the CLI and the pod supervisor share.
/// Unchecked Sendable: everything but the cached exit status is immutable; one owner waits.
public final class Container: @unchecked Sendable {
    public let id: String
    public let pid: Int32
    /// /proc/<pid>/stat start time, saved with the pid in state files.
    public let startTime: UInt64
    public let cgroup: Cgroup
    /// The pty master when process.terminal is set.
    public let consoleFD: Int32?
    private let pidfd: Int32
    private var reaped: ExitStatus?

    private init(id: String, pid: Int32, pidfd: Int32, cgroup: Cgroup, consoleFD: Int32?, startTime: UInt64? = nil) {
        self.id = id
        self.pid = pid
        self.pidfd = pidfd
        self.cgroup = cgroup
        self.consoleFD = consoleFD
        self.startTime = startTime ?? ProcStat.startTime(pid: pid) ?? 0
    }

    /// A container a previous daemon started, found again by pid and /proc start time (pids are
    /// reused; the pair is not). nil when that process is gone.
    public static func adopt(id: String, pid: Int32, startTime: UInt64, cgroup: Cgroup) -> Container? {
        let fd = sl_pidfd_open(pid)
        guard fd >= 0 else { return nil }
        // Checked after the pidfd is open: the pidfd then names the process we checked.
        guard ProcStat.startTime(pid: pid) == startTime else {
            close(fd)
            return nil
        }
        return Container(id: id, pid: pid, pidfd: fd, cgroup: cgroup, consoleFD: nil, startTime: startTime)
    }

    deinit {
        if pidfd >= 0 { close(pidfd) }
        if let c = consoleFD { close(c) }
    }

    /// Creates the cgroup, clones the init into it and its namespaces, and returns once the
    /// container's program has been executed (or throws the child's failure as a sentence).
    /// Nothing is left behind on failure.
    public static func start(id: String, spec: OCISpec, bundle: String,
                             options: LaunchOptions = LaunchOptions()) throws(RuntimeError) -> Container {
        try ContainerID.validate(id)
        // Before any namespace is entered: a container process must never be able to open
        // /proc/<runtime>/exe and write to the runtime's binary (CVE-2019-5736).
        _ = sl_set_dumpable(0)
        let cgroup: Cgroup
        let layout: CgroupLayout
        do {
            layout = try CgroupLayout.detect()
            let name = try spec.linux?.cgroupsPath.map(CgroupName.fromCgroupsPath) ?? id
            cgroup = try Cgroup.create(name: name, layout: layout,
                                       resources: CgroupResources(oci: spec.linux?.resources, devices: spec.linux?.devices ?? []))
        } catch { throw .cgroup("\(error)") }

        do {
            return try spawn(id: id, spec: spec, bundle: bundle, cgroup: cgroup, hostCgroup2: layout.v2Mount,
                             options: options)
        } catch {
            try? cgroup.destroy()
            throw error
        }
    }

    private static func spawn(id: String, spec: OCISpec, bundle: String, cgroup: Cgroup, hostCgroup2: String?,
                              options: LaunchOptions) throws(RuntimeError) -> Container {
        let channels = try SpawnChannels(terminal: spec.process?.terminal ?? false, consoleSocket: options.consoleSocket,
                                         cgroup: cgroup)
        let plan = try SpawnPlan(spec: spec, bundle: bundle, cgroupFD: channels.cgroupFD, joinFDs: channels.joinFDs,
                                 errorFD: channels.errorWrite, consoleSocketFD: channels.consoleForChild,
                                 hostCgroup2: hostCgroup2, options: options)
        if let fd = options.startFD {
            plan.config.process.wait_start = 1
            plan.config.process.start_fd = fd
        }
        let hooksGate = try HooksGate(enabled: options.beforePivot != nil)
        if hooksGate.enabled {
            plan.config.hooks_sync = 1
            plan.config.hooks_fd = hooksGate.childEnd
        }
        var result = sl_spawn_result()
        var saved = sigset_t()
        _ = sl_signals_block_all(&saved)
        let rc = sl_spawn_container(&plan.config, &result)
        _ = sl_signals_restore(&saved)
        guard rc == 0 else { throw .system(step: "clone3 of the container's init", errno: Errno(-rc)) }
        channels.closeChildEnds()
        hooksGate.closeChildEnd()

        func reap() {
            var status: Int32 = 0
            _ = sl_pidfd_wait(result.pidfd, 0, &status)
            close(result.pidfd)
        }
        var report = try channels.readReport()
        if case .hooksPoint = report, let beforePivot = options.beforePivot {
            do throws(RuntimeError) { try beforePivot(result.pid, cgroup.paths) } catch {
                _ = sl_pidfd_send_signal(result.pidfd, SIGKILL)
                reap()
                throw error
            }
            hooksGate.open()
            report = try channels.readReport()
        }
        switch report {
        case .hooksPoint:
            _ = sl_pidfd_send_signal(result.pidfd, SIGKILL)
            reap()
            throw .state("the container's init stopped for hooks nobody asked for")
        case .failed(let e, _):
            reap()
            throw .child(stage: e.stage, errno: Errno(e.err), subject: plan.subject(stage: e.stage, index: e.index))
        case .started, .ready:
            var console: Int32? = nil
            if channels.receivesConsole {
                do throws(RuntimeError) { console = try channels.receiveConsole() } catch {
                    _ = sl_pidfd_send_signal(result.pidfd, SIGKILL)
                    reap()
                    throw error
                }
            }
            return Container(id: id, pid: result.pid, pidfd: result.pidfd, cgroup: cgroup, consoleFD: console)
        }
    }

    /// A container whose init is already gone (its exit is known elsewhere, at the keeper): kept
    /// for its id and cgroup; signals go nowhere.
    public static func gone(id: String, pid: Int32, startTime: UInt64, cgroup: Cgroup) -> Container {
        Container(id: id, pid: pid, pidfd: -1, cgroup: cgroup, consoleFD: nil, startTime: startTime)
    }

    /// The pidfd, for poll(2) loops: readable when the init has exited.
    public var exitFD: Int32 { pidfd }

    /// Sends a signal to the init.
    public func signal(_ sig: Int32) throws(RuntimeError) {
        guard pidfd >= 0 else { return }
        let r = sl_pidfd_send_signal(pidfd, sig)
        if r < 0 && r != -ESRCH { throw .system(step: "sending signal \(sig) to container \(id)", errno: Errno(-r)) }
    }

    /// Reaps the init if it has exited (nil if it still runs). The OOM verdict is read from the
    /// cgroup now, before anyone removes it.
    public func exitStatus(block: Bool) -> ExitStatus? {
        if let r = reaped { return r }
        var status: Int32 = 0
        let r = sl_pidfd_wait(pidfd, block ? 0 : 1, &status)
        if r == -EAGAIN { return nil }
        // Anything else but success (ECHILD: reaped by someone else) leaves the status unknown;
        // report it as 255, never as success and never by waiting forever.
        let s = ExitStatus(waitStatus: r == 0 ? status : 255 << 8, oomKilled: cgroup.oomKillCount() > 0)
        reaped = s
        return s
    }

    /// Blocks until the init exits.
    public func wait() -> ExitStatus {
        while true {
            if let s = exitStatus(block: true) { return s }
        }
    }

    /// Kills every process of the container (cgroup.kill), waits for them, removes the cgroup.
    /// Safe to call more than once.
    public func destroy() throws(RuntimeError) {
        do { try cgroup.destroy() } catch { throw .cgroup("\(error)") }
        _ = exitStatus(block: false)
    }
}

/// Container ids: safe as a path component and a cgroup name.
public enum ContainerID {
    public static func validate(_ id: String) throws(RuntimeError) {
        let ok = !id.isEmpty && id.utf8.count <= 1024 && !id.hasPrefix(".")
            && id.utf8.allSatisfy { c in
                (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c == 0x2d || c == 0x5f || c == 0x2e
            }
        if !ok { throw .invalidID(id) }
    }
}
