import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Finding, starting and reading the keeper (`swiftlet-keeper`, the C program that holds
/// containers while the daemon is down; see `Sources/swiftlet-keeper/keeper.h`).
public enum Keeper {
    /// `swiftlet-keeper` next to the running executable (/proc/self/exe), else next to it in .build.
    public static func defaultExecutable() -> String {
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        let dir = URL(fileURLWithPath: exe).deletingLastPathComponent().path
        var candidates = [dir + "/swiftlet-keeper"]
        // A test bundle or a tool under .build/<triple>/<config>/: the products of either config.
        if let range = exe.range(of: "/.build/") {
            let build = String(exe[..<range.upperBound])
            candidates += ["debug", "release"].map { build + $0 + "/swiftlet-keeper" }
        }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? candidates[0]
    }

    /// Starts `<executable> --root R --detach` unless a keeper already listens there (connect + hello); returns its pid once it listens.
    public static func ensureRunning(root: String, executable: String) throws(KeeperError) -> Int32 {
        if let pid = listening(root) { return pid }
        var failure = ""
        // Another keeper may hold the root's lock without listening yet (starting) or any more
        // (stopping after being idle): ask again a few times.
        for _ in 0..<10 {
            let (status, stderr) = run([executable, "--root", root, "--detach"])
            if let pid = listening(root) { return pid }
            let message = stderr.trimmingCharacters(in: .whitespacesAndNewlines)
            failure = status == 0 ? "\(executable) started but no keeper answers on \(KeeperPaths(root: root).socket)"
                : message.isEmpty ? "\(executable) --root \(root) --detach exited with status \(status)" : message
            guard message.contains("another keeper already holds") else { break }
            usleep(100_000)
        }
        throw KeeperError(failure)
    }

    /// Decodes a raw wait status: (exit code, nil) or (nil, signal).
    public static func decode(waitStatus: Int32) -> (code: Int32?, signal: Int32?) {
        let low = waitStatus & 0x7f
        if low == 0 { return ((waitStatus >> 8) & 0xff, nil) }    // WIFEXITED
        if low != 0x7f { return (nil, low) }                        // WIFSIGNALED
        return (nil, nil)                                           // stopped: not an exit
    }

    private static func listening(_ root: String) -> Int32? {
        guard let connection = try? KeeperConnection.connect(root: root) else { return nil }
        defer { connection.close() }
        return try? connection.hello().keeperPID
    }

    /// Runs a command to completion with stdin and stdout on /dev/null; returns its exit status
    /// (-1 when it did not exit normally) and what it wrote to stderr.
    private static func run(_ argv: [String]) -> (status: Int32, stderr: String) {
        // A socket pair, created CLOEXEC atomically (pipe2 is not imported): a child another
        // thread spawns meanwhile must not inherit the write end and hold our read open.
        var pipe: [Int32] = [-1, -1]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &pipe) == 0 else {
            return (-1, "cannot make a socket pair: \(KeeperWire.errnoText())")
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, pipe[1], 2)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK))
        let cArgs = argv.map { strdup($0) } + [nil]
        defer { cArgs.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, argv[0], &actions, &attributes, cArgs, environ)
        _ = Glibc.close(pipe[1])
        defer { _ = Glibc.close(pipe[0]) }
        guard spawned == 0 else { return (-1, "cannot run \(argv[0]): \(KeeperWire.errnoText(spawned))") }
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(pipe[0], $0.baseAddress, $0.count) }
            if n > 0 { output += chunk[0..<n]; continue }
            if n < 0 && errno == EINTR { continue }
            break
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let code = decode(waitStatus: status).code ?? -1
        return (code, String(decoding: output, as: UTF8.self))
    }
}
