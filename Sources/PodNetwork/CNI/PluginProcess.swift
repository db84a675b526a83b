import CShims
import Glibc

/// How one plugin process ended, with everything it wrote.
struct PluginProcessOutcome: Sendable {
    enum Ending: Sendable, Equatable {
        case exited(Int32)
        case signaled(Int32)
        case timedOut
        /// posix_spawn failed (errno), e.g. ENOENT, EACCES or ETXTBSY after the retries.
        case notStarted(Int32)
    }
    var ending: Ending
    var stdout: [UInt8] = []
    var stderr: [UInt8] = []
}

/// Runs one executable with posix_spawn: stdin fed from memory, stdout and stderr collected with
/// poll() until a deadline, then the child is reaped; past the deadline it is killed (SIGKILL, its
/// process group and itself) and reaped. Blocking; it spawns from the calling thread, whose network
/// namespace the child therefore gets.
enum PluginProcess {
    /// Output beyond this (per stream) is dropped.
    static let outputLimit = 16 << 20

    static func run(path: String, environment: [String], stdin input: [UInt8], timeout: Duration) -> PluginProcessOutcome {
        let deadline = ContinuousClock.now + timeout
        // stdin is a socket so that writes to a plugin that quit early fail with EPIPE
        // (MSG_NOSIGNAL) instead of raising SIGPIPE in swiftlet.
        var stdinPair: [Int32] = [-1, -1]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &stdinPair) == 0 else {
            return PluginProcessOutcome(ending: .notStarted(errno))
        }
        guard let out = LinuxCalls.cloexecPipe() else {
            let code = errno
            close(stdinPair[0]); close(stdinPair[1])
            return PluginProcessOutcome(ending: .notStarted(code))
        }
        guard let err = LinuxCalls.cloexecPipe() else {
            let code = errno
            close(stdinPair[0]); close(stdinPair[1]); close(out.read); close(out.write)
            return PluginProcessOutcome(ending: .notStarted(code))
        }

        var pid: pid_t = 0
        var spawnError = spawn(path: path, environment: environment, stdin: stdinPair[1], stdout: out.write, stderr: err.write, pid: &pid)
        // libcni retries "text file busy" (a plugin binary being replaced) 5 times, a second apart.
        var retries = 0
        while spawnError == ETXTBSY, retries < 5, ContinuousClock.now + .seconds(1) < deadline {
            retries += 1
            sleep(1)
            spawnError = spawn(path: path, environment: environment, stdin: stdinPair[1], stdout: out.write, stderr: err.write, pid: &pid)
        }
        close(stdinPair[1]); close(out.write); close(err.write)
        guard spawnError == 0 else {
            close(stdinPair[0]); close(out.read); close(err.read)
            return PluginProcessOutcome(ending: .notStarted(spawnError))
        }

        var outcome = PluginProcessOutcome(ending: .timedOut)
        let finished = exchange(stdin: stdinPair[0], input: input, stdout: out.read, stderr: err.read, deadline: deadline, into: &outcome)
        let reaped = finished ? reap(pid, deadline: deadline) : .running
        switch reaped {
        case let .exited(status):
            outcome.ending = decode(status)
        case .lost:
            outcome.ending = .signaled(0)   // reaped by someone else: its pid may be reused, so no kill
        case .running:
            kill(-pid, SIGKILL)   // the plugin's process group (it was spawned into its own) ...
            kill(pid, SIGKILL)    // ... and the plugin itself, should it have left that group
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0, errno == EINTR {}
            outcome.ending = .timedOut
        }
        return outcome
    }

    /// posix_spawn with the three descriptors as 0, 1, 2 and every other descriptor closed, default
    /// signal handling and an empty signal mask, in a process group of its own. Returns 0 or errno.
    private static func spawn(path: String, environment: [String], stdin: Int32, stdout: Int32, stderr: Int32, pid: inout pid_t) -> Int32 {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, stdin, 0)
        posix_spawn_file_actions_adddup2(&actions, stdout, 1)
        posix_spawn_file_actions_adddup2(&actions, stderr, 2)
        _ = LinuxCalls.addCloseFrom(&actions, 3)   // everything else is close-on-exec here anyway

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGPIPE, SIGCHLD, SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP))

        let argv: [UnsafeMutablePointer<CChar>?] = [strdup(path), nil]
        let envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup($0) } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        return posix_spawn(&pid, path, &actions, &attributes, argv, envp)
    }

    /// Feeds stdin and drains stdout and stderr until both reach end of file (true) or the deadline
    /// passes (false). Closes the three descriptors.
    private static func exchange(stdin: Int32, input: [UInt8], stdout: Int32, stderr: Int32, deadline: ContinuousClock.Instant, into outcome: inout PluginProcessOutcome) -> Bool {
        var stdinFD: Int32 = stdin
        var outFD: Int32 = stdout
        var errFD: Int32 = stderr
        defer {
            for fd in [stdinFD, outFD, errFD] where fd >= 0 { close(fd) }
        }
        _ = fcntl(stdinFD, F_SETFL, fcntl(stdinFD, F_GETFL) | O_NONBLOCK)
        var written = 0
        if input.isEmpty {
            shutdown(stdinFD, Int32(SHUT_WR))
            close(stdinFD)
            stdinFD = -1
        }
        var buffer = [UInt8](repeating: 0, count: 65536)
        while outFD >= 0 || errFD >= 0 {
            let remaining = deadline - ContinuousClock.now
            guard remaining > .zero else { return false }
            var fds: [pollfd] = []
            if stdinFD >= 0 { fds.append(pollfd(fd: stdinFD, events: Int16(POLLOUT), revents: 0)) }
            if outFD >= 0 { fds.append(pollfd(fd: outFD, events: Int16(POLLIN), revents: 0)) }
            if errFD >= 0 { fds.append(pollfd(fd: errFD, events: Int16(POLLIN), revents: 0)) }
            let ready = poll(&fds, nfds_t(fds.count), milliseconds(remaining))
            if ready < 0 {
                if errno == EINTR { continue }
                return false
            }
            for entry in fds where entry.revents != 0 {
                if entry.fd == stdinFD {
                    let n = input.withUnsafeBytes { raw in
                        send(stdinFD, raw.baseAddress! + written, raw.count - written, Int32(MSG_NOSIGNAL))
                    }
                    if n > 0 { written += n }
                    if written == input.count || (n < 0 && errno != EAGAIN && errno != EINTR) {
                        shutdown(stdinFD, Int32(SHUT_WR))   // end of file for the plugin
                        close(stdinFD)
                        stdinFD = -1
                    }
                } else {
                    let n = read(entry.fd, &buffer, buffer.count)
                    if n < 0, errno == EINTR || errno == EAGAIN { continue }
                    if n <= 0 {
                        close(entry.fd)
                        if entry.fd == outFD { outFD = -1 } else { errFD = -1 }
                        continue
                    }
                    if entry.fd == outFD {
                        if outcome.stdout.count < outputLimit { outcome.stdout += buffer[0..<n] }
                    } else if outcome.stderr.count < outputLimit {
                        outcome.stderr += buffer[0..<n]
                    }
                }
            }
        }
        return true
    }

    private enum Reaped { case exited(Int32), running, lost }

    /// Waits for the child until the deadline (it closed its output, so it is normally ending):
    /// poll() on a pidfd wakes the moment it exits (polling waitpid with sleeps added ~1 ms a
    /// plugin, 10% of a chain).
    private static func reap(_ pid: pid_t, deadline: ContinuousClock.Instant) -> Reaped {
        var status: Int32 = 0
        let pidfd = sl_pidfd_open(pid)
        if pidfd >= 0 {
            defer { close(pidfd) }
            var entry = pollfd(fd: pidfd, events: Int16(POLLIN), revents: 0)
            while true {
                let remaining = deadline - ContinuousClock.now
                guard remaining > .zero else { return .running }
                let ready = poll(&entry, 1, milliseconds(remaining))
                if ready > 0 { break }
                if ready < 0 && errno != EINTR { break }
            }
        }
        while true {
            let result = waitpid(pid, &status, WNOHANG)
            if result == pid { return .exited(status) }
            if result < 0, errno == ECHILD { return .lost }
            if ContinuousClock.now >= deadline { return .running }
            usleep(1000)
        }
    }

    private static func decode(_ status: Int32) -> PluginProcessOutcome.Ending {
        let signal = status & 0x7f
        return signal == 0 ? .exited((status >> 8) & 0xff) : .signaled(signal)
    }

    private static func milliseconds(_ duration: Duration) -> Int32 {
        let (seconds, attoseconds) = duration.components
        let ms = seconds * 1000 + attoseconds / 1_000_000_000_000_000 + 1
        return Int32(clamping: ms)
    }
}
