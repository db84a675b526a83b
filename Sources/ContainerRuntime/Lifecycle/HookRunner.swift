#if canImport(Glibc)
import Glibc
#endif
import CShims

// OCI hooks (runtime-spec config.md "POSIX-platform Hooks"): each hook is a program run with the
// container's state JSON on its stdin. This file runs them; which phase runs when, and what a
// failure means (destroy the container, kill it, or only warn) is the caller's decision.
//
// Runtime-namespace hooks (prestart, createRuntime, poststart, poststop) are posix_spawn'd
// children of the runtime. Container-namespace hooks (createContainer, startContainer) go through
// Exec.start, which enters the init's namespaces and cgroup through its pidfd.
//
// Every hook gets: argv = args (or [path]), exactly `env`, stdin = the state (then EOF), stdout
// and stderr captured for the error sentence, no other fd, default signal dispositions.

/// Why one hook failed, naming it the way config.json does: "hooks.prestart[1] (/usr/bin/x)".
public struct HookFailure: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Reason: Sendable, Equatable {
        /// It exited non-zero; `output` is its stderr (or stdout when stderr was empty), trimmed.
        case exited(code: Int32, output: String)
        case signaled(signal: Int32, output: String)
        /// Its timeout passed; it was killed with SIGKILL.
        case timedOut(seconds: Int)
        /// execve failed (or posix_spawn could not start it).
        case execFailed(Errno)
        /// Something around the hook failed: a pipe, entering the container.
        case setup(String)
    }

    /// "prestart", "createRuntime", ...
    public var phase: String
    public var index: Int
    public var path: String
    public var reason: Reason

    public init(phase: String, index: Int, path: String, reason: Reason) {
        self.phase = phase
        self.index = index
        self.path = path
        self.reason = reason
    }

    public var description: String {
        let subject = "hooks.\(phase)[\(index)] (\(path)): "
        switch reason {
        case .exited(let code, let output): return subject + "exited with status \(code)" + Self.suffix(output)
        case .signaled(let signal, let output): return subject + "killed by signal \(signal)" + Self.suffix(output)
        case .timedOut(let seconds): return subject + "timed out after \(seconds) s"
        case .execFailed(let e): return subject + "executing it failed: \(e)"
        case .setup(let what): return subject + what
        }
    }

    private static func suffix(_ output: String) -> String { output.isEmpty ? "" : ": " + output }
}

public enum HookRunner {
    /// Bytes of each of stdout and stderr kept for the error sentence; the rest is read and dropped.
    public static let outputCap = 4096

    /// Runs `hooks` one after the other as children of the runtime, in the runtime's namespaces
    /// (prestart, createRuntime, poststart, poststop). Stops at the first failure and throws it.
    /// `phase` is the config.json name ("createRuntime"), used in error sentences.
    public static func run(_ hooks: [OCISpec.Hook], phase: String, state: JSONValue) throws(RuntimeError) {
        let input = state.serialized()
        for (i, hook) in hooks.enumerated() {
            if let failure = runOnHost(hook, phase: phase, index: i, input: input) { throw .hook(failure) }
        }
    }

    /// Runs every hook even when some fail and returns the failures, for the phases where the
    /// spec says a failure is logged and the remaining hooks still run (poststart, poststop).
    public static func runCollectingFailures(_ hooks: [OCISpec.Hook], phase: String, state: JSONValue) -> [HookFailure] {
        let input = state.serialized()
        return hooks.enumerated().compactMap { i, hook in runOnHost(hook, phase: phase, index: i, input: input) }
    }

    /// Runs `hooks` inside the container at `location`: its mount, pid, net, ipc, uts and cgroup
    /// namespaces and its cgroup, as uid 0 with every capability, no seccomp filter, no
    /// no_new_privs, cwd "/". Stops at the first failure and throws it.
    ///
    /// `resolveInContainer`: the spec resolves a startContainer hook's path in the container's
    /// mount namespace (true) but a createContainer hook's in the runtime's (false). With false
    /// the executable is opened here (O_PATH) and executed by fd inside the container; that
    /// works for static binaries only: a script's interpreter cannot reopen the fd (see
    /// Exec.start) and a dynamic binary's loader is looked up in the container; both fail with a
    /// sentence saying so.
    public static func runInContainer(_ hooks: [OCISpec.Hook], phase: String, state: JSONValue,
                                      location: ContainerLocation, resolveInContainer: Bool) throws(RuntimeError) {
        let input = state.serialized()
        for (i, hook) in hooks.enumerated() {
            if let failure = runInContainer(hook, phase: phase, index: i, input: input, location: location,
                                            resolveInContainer: resolveInContainer) {
                throw .hook(failure)
            }
        }
    }

    // MARK: One hook in the runtime's namespaces

    private static func runOnHost(_ hook: OCISpec.Hook, phase: String, index: Int, input: [UInt8]) -> HookFailure? {
        func failure(_ reason: HookFailure.Reason) -> HookFailure {
            HookFailure(phase: phase, index: index, path: hook.path, reason: reason)
        }
        return SIGPIPEGuard.blocked { () -> HookFailure? in
            let pipes: HookPipes
            do throws(Errno) { pipes = try HookPipes(input: input) } catch {
                return failure(.setup("creating its pipes failed: \(error)"))
            }
            let arena = CArena()
            let argv = arena.stringArray(hook.args.isEmpty ? [hook.path] : hook.args)
            let envp = arena.stringArray(hook.env)
            var pid: pid_t = 0
            let rc = HostSpawn.spawn(&pid, path: hook.path, argv: argv, envp: envp,
                                     stdio: (pipes.childInput, pipes.childOutput, pipes.childError))
            pipes.closeChildEnds()
            guard rc == 0 else { return failure(.execFailed(Errno(rc))) }
            // The hook is our unreaped child: its pid cannot be reused before we wait, so this
            // pidfd names it.
            let pidfd = sl_pidfd_open(pid)
            guard pidfd >= 0 else {
                // Cannot watch it with a deadline; do not leave it running unsupervised.
                _ = kill(-pid, SIGKILL)
                var status: Int32 = 0
                _ = waitpid(pid, &status, 0)
                return failure(.setup("opening a pidfd of it failed: \(Errno(-pidfd))"))
            }
            defer { close(pidfd) }
            let outcome = pipes.supervise(exitFD: pidfd, timeout: hook.timeout) {
                // Its own process group (POSIX_SPAWN_SETPGROUP): a shell hook's children die with it.
                _ = kill(-pid, SIGKILL)
                _ = sl_pidfd_send_signal(pidfd, SIGKILL)
            }
            var status: Int32 = 0
            let w = sl_pidfd_wait(pidfd, 0, &status)
            if let seconds = outcome.timedOut { return failure(.timedOut(seconds: seconds)) }
            guard w == 0 else { return failure(.setup("waiting for it failed: \(Errno(-w))")) }
            return verdict(ExitStatus(waitStatus: status, oomKilled: false), outcome).map(failure)
        }
    }

    // MARK: One hook in the container's namespaces

    private static func runInContainer(_ hook: OCISpec.Hook, phase: String, index: Int, input: [UInt8],
                                       location: ContainerLocation, resolveInContainer: Bool) -> HookFailure? {
        func failure(_ reason: HookFailure.Reason) -> HookFailure {
            HookFailure(phase: phase, index: index, path: hook.path, reason: reason)
        }
        // Resolved here, in the runtime's mount namespace, before entering the container's.
        var executableFD: Int32? = nil
        if !resolveInContainer {
            let fd = open(hook.path, oPathFlag | O_CLOEXEC)
            guard fd >= 0 else { return failure(.execFailed(Errno.current)) }
            executableFD = fd
        }
        defer { if let executableFD { close(executableFD) } }
        return SIGPIPEGuard.blocked { () -> HookFailure? in
            let pipes: HookPipes
            do throws(Errno) { pipes = try HookPipes(input: input) } catch {
                return failure(.setup("creating its pipes failed: \(error)"))
            }
            // Hooks are the administrator's programs, not the container's: the runtime's own
            // privilege, as a runtime-namespace hook (our child) has it. Every capability when the
            // runtime has them all; a runtime confined to fewer cannot grant more (capset: EPERM).
            let all = ownPermittedCapabilities()
            let process = OCISpec.Process(
                args: hook.args.isEmpty ? [hook.path] : hook.args, env: hook.env, cwd: "/",
                capabilities: OCISpec.Capabilities(bounding: all, effective: all, permitted: all),
                noNewPrivileges: false)
            let child: ExecProcess
            do throws(RuntimeError) {
                child = try Exec.start(location, process: process, seccomp: nil,
                                       stdio: Stdio(input: pipes.childInput, output: pipes.childOutput, error: pipes.childError),
                                       executable: hook.path, executableFD: executableFD)
            } catch {
                pipes.closeChildEnds()
                if case .child(let stage, let e, _) = error, stage == Int32(bitPattern: SL_STAGE_EXEC.rawValue) {
                    // The file exists (it was opened), so ENOENT from execveat means something it
                    // needs is missing in the container: a script's interpreter gets /dev/fd/N of a
                    // CLOEXEC fd, already closed; a dynamic binary's loader is looked up there.
                    if executableFD != nil && e.rawValue == ENOENT {
                        return failure(.setup(isScript(hook.path)
                            ? "executing it failed: it is a script; from the runtime's namespace, swiftlet-runtime "
                                + "runs only binaries inside the container"
                            : "executing it failed: No such file or directory inside the container "
                                + "(a dynamically linked binary's loader is looked up there; use a static binary)"))
                    }
                    return failure(.execFailed(e))
                }
                return failure(.setup("entering the container failed: \(error)"))
            }
            pipes.closeChildEnds()
            // Only the hook is killed on timeout: what it started stays in the container, whose
            // processes the caller kills anyway when a createContainer/startContainer hook fails.
            let outcome = pipes.supervise(exitFD: child.exitFD, timeout: hook.timeout) { child.signal(SIGKILL) }
            let status = child.wait()
            if let seconds = outcome.timedOut { return failure(.timedOut(seconds: seconds)) }
            return verdict(status, outcome).map(failure)
        }
    }

    /// O_PATH, which Swift's Glibc module hides behind _GNU_SOURCE (same value on x86_64 and aarch64).
    private static let oPathFlag: Int32 = 0o10000000

    /// Whether the file starts with "#!".
    private static func isScript(_ path: String) -> Bool {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var magic: (UInt8, UInt8) = (0, 0)
        return withUnsafeMutableBytes(of: &magic) { read(fd, $0.baseAddress!, 2) } == 2 && magic == (0x23, 0x21)
    }

    /// The names of the capabilities in this process's permitted set (CapPrm in /proc/self/status);
    /// every name we know if that cannot be read.
    private static func ownPermittedCapabilities() -> [String] {
        let line = Files.readText("/proc/self/status")?.split(separator: "\n").first { $0.hasPrefix("CapPrm:") }
        guard let hex = line?.dropFirst("CapPrm:".count).trimmingPrefix(while: { $0 == " " || $0 == "\t" }),
              let mask = UInt64(hex, radix: 16) else { return SpecNames.capabilities }
        return SpecNames.capabilities.enumerated().filter { i, _ in mask & (1 << UInt64(i)) != 0 }.map(\.element)
    }

    /// nil for success; otherwise how it ended, with the output that explains it.
    private static func verdict(_ status: ExitStatus, _ outcome: HookPipes.Outcome) -> HookFailure.Reason? {
        // stderr is where programs explain failures; stdout only when stderr said nothing.
        let output = outcome.stderr.isEmpty ? outcome.stdout : outcome.stderr
        if let code = status.code { return code == 0 ? nil : .exited(code: code, output: output) }
        return .signaled(signal: status.signal ?? 0, output: output)
    }
}

// MARK: - posix_spawn of a runtime-namespace hook

private enum HostSpawn {
    typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32

    /// glibc 2.34's posix_spawn_file_actions_addclosefrom_np, which Swift's Glibc module does not
    /// export; looked up once. nil on an older libc.
    static let addCloseFrom: AddCloseFrom? = {
        guard let symbol = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np") else { return nil }
        return unsafeBitCast(symbol, to: AddCloseFrom.self)
    }()

    /// posix_spawn (no PATH search: the spec makes `path` absolute) with `stdio` on 0, 1, 2,
    /// every other fd closed, an empty signal mask, default dispositions, and its own process
    /// group. Returns 0 or an errno (glibc reports the child's execve failure here).
    static func spawn(_ pid: inout pid_t, path: String, argv: UnsafePointer<UnsafePointer<CChar>?>,
                      envp: UnsafePointer<UnsafePointer<CChar>?>, stdio: (Int32, Int32, Int32)) -> Int32 {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        // The pipe ends are >= 3 (0..2 are the runtime's own stdio), so no dup2 overwrites another's source.
        posix_spawn_file_actions_adddup2(&actions, stdio.0, 0)
        posix_spawn_file_actions_adddup2(&actions, stdio.1, 1)
        posix_spawn_file_actions_adddup2(&actions, stdio.2, 2)
        if let addCloseFrom {
            _ = addCloseFrom(&actions, 3)
        } else {
            // Older glibc: close what is inherited now. Our own fds are all CLOEXEC; this catches
            // what other code in the process opened without it.
            for fd in inheritableFDs() { posix_spawn_file_actions_addclose(&actions, fd) }
        }

        var attr = posix_spawnattr_t()
        posix_spawnattr_init(&attr)
        defer { posix_spawnattr_destroy(&attr) }
        var empty = sigset_t()
        sigemptyset(&empty)
        var every = sigset_t()
        sigfillset(&every)
        // The runtime blocks signals (SIGPIPE here, others around clones) and may ignore some: a
        // hook must start as if from a shell, or e.g. an ignored SIGPIPE would outlive execve.
        posix_spawnattr_setsigmask(&attr, &empty)
        posix_spawnattr_setsigdefault(&attr, &every)
        posix_spawnattr_setpgroup(&attr, 0)
        posix_spawnattr_setflags(&attr, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP))

        let cArgv = UnsafeRawPointer(argv).assumingMemoryBound(to: UnsafeMutablePointer<CChar>?.self)
        let cEnvp = UnsafeRawPointer(envp).assumingMemoryBound(to: UnsafeMutablePointer<CChar>?.self)
        return posix_spawn(&pid, path, &actions, &attr, cArgv, cEnvp)
    }

    /// fds >= 3 open without FD_CLOEXEC, from /proc/self/fd.
    private static func inheritableFDs() -> [Int32] {
        guard let dir = opendir("/proc/self/fd") else { return [] }
        defer { closedir(dir) }
        let own = dirfd(dir)
        var fds: [Int32] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            guard let fd = Int32(name), fd >= 3, fd != own else { continue }
            let flags = fcntl(fd, F_GETFD)
            if flags >= 0 && flags & FD_CLOEXEC == 0 { fds.append(fd) }
        }
        return fds
    }
}

// MARK: - SIGPIPE

/// Writing the state to a hook that exits without reading it raises SIGPIPE, whose default
/// action would kill the runtime. It is blocked in the calling thread while a hook runs (a write's
/// SIGPIPE is sent to the writing thread), and one raised meanwhile is consumed before unblocking.
private enum SIGPIPEGuard {
    static func blocked<T>(_ body: () -> T) -> T {
        var pipeSet = sigset_t()
        sigemptyset(&pipeSet)
        sigaddset(&pipeSet, SIGPIPE)
        var old = sigset_t()
        pthread_sigmask(SIG_BLOCK, &pipeSet, &old)
        var pendingBefore = sigset_t()
        sigpending(&pendingBefore)
        let result = body()
        if sigismember(&old, SIGPIPE) == 0 && sigismember(&pendingBefore, SIGPIPE) == 0 {
            var pending = sigset_t()
            sigpending(&pending)
            if sigismember(&pending, SIGPIPE) == 1 {
                var zero = timespec(tv_sec: 0, tv_nsec: 0)
                _ = sigtimedwait(&pipeSet, nil, &zero)
            }
        }
        pthread_sigmask(SIG_SETMASK, &old, nil)
        return result
    }
}

// MARK: - The hook's pipes

/// stdin (pre-filled with the state), stdout and stderr of one hook, and the loop that feeds and
/// drains them until the hook exits or its timeout passes. Every fd is CLOEXEC; the child ends
/// become the hook's 0, 1, 2 by dup2 (which clears CLOEXEC on the copy).
private final class HookPipes {
    let childInput: Int32
    let childOutput: Int32
    let childError: Int32
    private var input: Int32        // our write end of stdin; -1 once closed
    private let output: Int32
    private let error: Int32
    private var childEndsOpen = true
    private let state: [UInt8]
    private var written = 0
    /// F_SETPIPE_SZ (F_LINUX_SPECIFIC_BASE + 7): glibc declares it only under _GNU_SOURCE,
    /// which Swift's Glibc module is not built with.
    private static let setPipeSize: Int32 = 1031

    struct Outcome {
        var stdout: String
        var stderr: String
        /// The timeout in seconds when it passed (the hook was killed).
        var timedOut: Int?
    }

    init(input state: [UInt8]) throws(Errno) {
        var i: [Int32] = [-1, -1], o: [Int32] = [-1, -1], e: [Int32] = [-1, -1]
        do throws(Errno) {
            _ = try check(sl_pipe_cloexec(&i))
            _ = try check(sl_pipe_cloexec(&o))
            _ = try check(sl_pipe_cloexec(&e))
        } catch {
            for fd in i + o + e where fd >= 0 { close(fd) }
            throw error
        }
        (childInput, input) = (i[0], i[1])
        (output, childOutput) = (o[0], o[1])
        (error, childError) = (e[0], e[1])
        self.state = state
        for fd in [input, output, error] { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
        // Write the whole state before the hook starts, so that a hook that never reads stdin
        // cannot stall us: a pipe holds 64 KiB; grow it when the state is bigger (up to
        // fs.pipe-max-size; past that the rest is written as the hook reads).
        if state.count > 65536 { _ = fcntl(input, Self.setPipeSize, Int32(clamping: state.count)) }
        feed()
    }

    deinit {
        closeChildEnds()
        if input >= 0 { close(input) }
        close(output)
        close(error)
    }

    /// Our copies of the hook's ends: closed once it has them, so EOF comes when it exits.
    func closeChildEnds() {
        guard childEndsOpen else { return }
        childEndsOpen = false
        close(childInput)
        close(childOutput)
        close(childError)
    }

    /// Writes as much of the state as fits; closes stdin when it is all written or the hook
    /// stopped reading (EPIPE, whose signal SIGPIPEGuard holds).
    private func feed() {
        while input >= 0 && written < state.count {
            let n = state.withUnsafeBytes { write(input, $0.baseAddress! + written, $0.count - written) }
            if n > 0 { written += n; continue }
            if n < 0 && errno == EINTR { continue }
            if n < 0 && errno == EAGAIN { return }
            break   // EPIPE or worse: the hook gets no more
        }
        if input >= 0 { close(input); input = -1 }
    }

    /// Runs until `exitFD` (a pidfd) is readable or `timeout` seconds pass; then `kill` is called.
    func supervise(exitFD: Int32, timeout: Int?, kill: () -> Void) -> Outcome {
        var out = Capture(), err = Capture()
        var outOpen = true, errOpen = true
        let deadline = timeout.map { monotonicNanoseconds() + Int64($0) * 1_000_000_000 }
        var timedOut: Int? = nil
        while true {
            var fds = [pollfd(fd: exitFD, events: Int16(POLLIN), revents: 0)]
            if outOpen { fds.append(pollfd(fd: output, events: Int16(POLLIN), revents: 0)) }
            if errOpen { fds.append(pollfd(fd: error, events: Int16(POLLIN), revents: 0)) }
            if input >= 0 { fds.append(pollfd(fd: input, events: Int16(POLLOUT), revents: 0)) }
            var wait: Int32 = -1
            if let deadline {
                let left = deadline - monotonicNanoseconds()
                if left <= 0 {
                    kill()
                    timedOut = timeout
                    break
                }
                wait = Int32(clamping: (left + 999_999) / 1_000_000)
            }
            let r = poll(&fds, nfds_t(fds.count), wait)
            if r < 0 {
                if errno == EINTR { continue }
                // Cannot watch it any more: end it rather than block on it without a deadline.
                kill()
                break
            }
            for p in fds where p.revents != 0 {
                if p.fd == output { outOpen = out.read(output) }
                else if p.fd == error { errOpen = err.read(error) }
                else if p.fd == input { feed() }
            }
            if fds[0].revents != 0 { break }
        }
        if input >= 0 { close(input); input = -1 }
        // What the hook wrote before exiting is in the pipes now. A child it left behind may still
        // hold them open (and write): read what is there, never wait for EOF.
        if outOpen { _ = out.read(output) }
        if errOpen { _ = err.read(error) }
        return Outcome(stdout: out.text, stderr: err.text, timedOut: timedOut)
    }

    private func monotonicNanoseconds() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }
}

/// The first HookRunner.outputCap bytes of a stream; the rest is read and counted, not kept.
private struct Capture {
    private var bytes: [UInt8] = []
    private var dropped = 0

    /// Reads what the non-blocking `fd` has now (at most 1 MiB a call, so a writer that never
    /// stops cannot keep us here). Returns false at EOF or on an error.
    mutating func read(_ fd: Int32) -> Bool {
        var buffer = [UInt8](repeating: 0, count: 16384)
        for _ in 0..<64 {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress!, $0.count) }
            if n > 0 {
                let keep = min(n, HookRunner.outputCap - bytes.count)
                bytes += buffer[0..<keep]
                dropped += n - keep
                continue
            }
            if n < 0 && errno == EINTR { continue }
            return n < 0 && errno == EAGAIN
        }
        return true
    }

    /// The text, trimmed of surrounding whitespace, marked when it was cut.
    var text: String {
        var s = String(decoding: bytes, as: UTF8.self)
        while let c = s.last, c.isWhitespace { s.removeLast() }
        while let c = s.first, c.isWhitespace { s.removeFirst() }
        return dropped > 0 ? s + " […\(dropped) more bytes]" : s
    }
}
