import Foundation

/// Runs the clients (podman, ctr, script, containerd) as child processes, with posix_spawn and
/// waitpid rather than Foundation's Process: seen here, Process never noticed `podman run -d`
/// exit (it stayed a zombie) while the conmon it left behind ran. Output goes to files, not pipes,
/// for the same reason (a daemon holding a pipe would keep it from reaching EOF), and the child
/// gets no descriptor but 0, 1 and 2.
enum Shell {
    struct Output: CustomStringConvertible {
        var status: Int32
        var stdout: String
        var stderr: String
        var timedOut = false

        /// stdout's non-empty lines; "\r\n" and a pty's "\r\r\n" end a line too.
        var lines: [String] { stdout.split(whereSeparator: \.isNewline).map(String.init) }
        var description: String { "exit \(status)\(timedOut ? " (timed out)" : "")\nstdout: \(stdout)\nstderr: \(stderr)" }
    }

    /// Runs `exe args` to completion, or kills it (its pid only) after `timeout` seconds.
    static func run(_ exe: String, _ args: [String], env: [String: String] = [:], stdin: String? = nil,
                    timeout: TimeInterval = 30) -> Output {
        let scratch = "/tmp/client-test-io-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let (inPath, outPath, errPath) = (scratch + "/in", scratch + "/out", scratch + "/err")
        _ = FileManager.default.createFile(atPath: inPath, contents: Data((stdin ?? "").utf8))
        let pid: pid_t
        do {
            pid = try spawn(exe, args, env: env, stdin: stdin == nil ? "/dev/null" : inPath, output: outPath, error: errPath)
        } catch {
            return Output(status: -1, stdout: "", stderr: "\(error)")
        }
        var status = wait(pid, timeout: timeout)
        let timedOut = status == nil
        if timedOut {
            kill(pid, SIGKILL)
            status = wait(pid, timeout: .infinity)
        }
        return Output(status: status ?? -1,
                      stdout: (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "",
                      stderr: (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "",
                      timedOut: timedOut)
    }

    /// Starts `exe args` (with our environment plus `env`) with fds 0, 1, 2 opened on the given
    /// paths (output appended, files created), no other descriptors and default signal handling.
    static func spawn(_ exe: String, _ args: [String], env: [String: String] = [:], stdin: String = "/dev/null",
                      output: String, error: String) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, stdin, O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_APPEND, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, error, O_WRONLY | O_CREAT | O_APPEND, 0o600)
        closeFrom3(&actions)
        var attr = posix_spawnattr_t()
        posix_spawnattr_init(&attr)
        defer { posix_spawnattr_destroy(&attr) }
        var defaults = sigset_t(), none = sigset_t()
        sigemptyset(&defaults)
        for sig in [SIGPIPE, SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGCHLD, SIGTTIN, SIGTTOU, SIGUSR1, SIGUSR2] { sigaddset(&defaults, sig) }
        sigemptyset(&none)
        posix_spawnattr_setsigdefault(&attr, &defaults)
        posix_spawnattr_setsigmask(&attr, &none)
        posix_spawnattr_setflags(&attr, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        let environment = ProcessInfo.processInfo.environment.merging(env) { $1 }
        let argv: [UnsafeMutablePointer<CChar>?] = ([exe] + args).map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup("\($0)=\($1)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, exe, &actions, &attr, argv, envp)
        guard rc == 0 else { throw Failure("cannot run \(exe): \(String(cString: strerror(rc)))") }
        return pid
    }

    /// Adds "close every fd from 3 up" to `actions`: glibc's posix_spawn_file_actions_addclosefrom_np
    /// (2.34; Swift's Glibc module does not import it), else a close for each fd open now.
    private static func closeFrom3(_ actions: inout posix_spawn_file_actions_t) {
        typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
        if let symbol = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np") {
            _ = unsafeBitCast(symbol, to: AddCloseFrom.self)(&actions, 3)
            return
        }
        for name in (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? [] {
            if let fd = Int32(name), fd > 2 { posix_spawn_file_actions_addclose(&actions, fd) }
        }
    }

    /// Waits up to `timeout` seconds for our child `pid` to exit and reaps it: its exit code, or
    /// 128 + the signal that killed it; nil if it is still running.
    static func wait(_ pid: pid_t, timeout: TimeInterval) -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        var status: Int32 = 0
        while true {
            let r = waitpid(pid, &status, WNOHANG)
            if r == pid {
                let signal = status & 0x7f
                return signal == 0 ? (status >> 8) & 0xff : 128 + signal
            }
            if r < 0 && errno != EINTR { return -1 }
            if Date() > deadline { return nil }
            usleep(10_000)
        }
    }

    /// `script -qec CMD /dev/null`: runs a command line on a new pty, as a user's terminal would,
    /// feeding `stdin` to it; exits with the command's status.
    static func onTerminal(_ argv: [String], env: [String: String] = [:], stdin: String = "",
                           timeout: TimeInterval = 30) -> Output {
        var output = run("/usr/bin/script", ["-qec", argv.map(quote).joined(separator: " "), "/dev/null"],
                         env: env, stdin: stdin, timeout: timeout)
        // At the end of its stdin, script writes its VEOF character to the pty, and with a stdin
        // that is not a terminal that character is NUL: a container's shell still reading may
        // echo it as "^@" before its own output (seen under load). The harness's byte, not the
        // runtime's: dropped.
        output.stdout = output.stdout.replacingOccurrences(of: "^@", with: "")
        return output
    }

    /// A word for /bin/sh: single-quoted unless plainly safe.
    static func quote(_ s: String) -> String {
        let safe = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._-=:,+@%")
        if !s.isEmpty && s.unicodeScalars.allSatisfy(safe.contains) { return s }
        return "'" + s.replacingOccurrences(of: "'", with: #"'\''"#) + "'"
    }

    /// The absolute path of a program on PATH (plus the sbin directories), or nil.
    static func which(_ name: String) -> String? {
        let path = (ProcessInfo.processInfo.environment["PATH"] ?? "") + ":/usr/local/sbin:/usr/sbin:/sbin"
        for dir in path.split(separator: ":") where !dir.isEmpty {
            let candidate = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// Polls `condition` every 50 ms for up to `seconds`; true once it holds.
    static func eventually(within seconds: TimeInterval = 5, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while true {
            if condition() { return true }
            if Date() > deadline { return false }
            usleep(50_000)
        }
    }
}
