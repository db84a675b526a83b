import Foundation
import XCTest
@testable import Supervisor

/// One keeper test's world: a temporary directory with the keeper's root in it, the real
/// `swiftlet-keeper` started on that root, and the processes the test made. `finish()` kills
/// them (by pid and by the daemon's process group), acks what the keeper holds, stops the
/// keeper, fails the test if it is still running, and removes the directory.
///
/// Without CLONE_PARENT a test gets processes that are the keeper's children through the
/// `daemon` verb: a daemon `sh` starts them in the background and exits, and they are
/// reparented to the keeper, the nearest subreaper.
final class KeeperSession {
    static let repo: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { url.deleteLastPathComponent() }
        return url.path
    }()
    /// The `swiftlet-keeper` built next to the test binary, else the default debug build.
    static let keeper: String = {
        let dir = URL(fileURLWithPath: CommandLine.arguments.first ?? "").deletingLastPathComponent().path
        return FileManager.default.isExecutableFile(atPath: dir + "/swiftlet-keeper") ? dir + "/swiftlet-keeper"
            : repo + "/.build/debug/swiftlet-keeper"
    }()

    let dir: String
    var root: String { dir + "/root" }
    var paths: KeeperPaths { KeeperPaths(root: root) }
    private(set) var keeperPID: Int32 = 0
    private var groups: [Int32] = []
    private var pids: [Int32] = []
    private let test: XCTestCase

    init(_ test: XCTestCase) throws {
        try XCTSkipUnless(geteuid() == 0, "needs root: the keeper's socket, subreaper and oom tests are root-only")
        self.test = test
        var template = Array("/tmp/swiftlet-keeper-test-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw KeeperError("mkdtemp failed") }
        dir = String(cString: made)
    }

    // MARK: The keeper

    /// `swiftlet-keeper --root R --detach [extra]`; returns its pid once it listens.
    @discardableResult
    func start(_ extra: [String] = []) throws -> Int32 {
        let r = Self.run([Self.keeper, "--root", root, "--detach"] + extra)
        guard r.status == 0 else { throw KeeperError("the keeper did not start (\(r.status)): \(r.err)") }
        keeperPID = try readPID(paths.pidFile)
        return keeperPID
    }

    /// A keeper the test started some other way, to be stopped at the end.
    func adopt(_ pid: Int32) { keeperPID = pid }

    func connect() throws -> KeeperConnection { try KeeperConnection.connect(root: root) }

    /// Connects again after the keeper closed every connection (an upgrade).
    func reconnect(timeout: Double = 10) throws -> KeeperConnection {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            if let c = try? connect(), (try? c.hello()) != nil { return c }
            if Date() > deadline { throw KeeperError("no keeper answers on \(paths.socket)") }
            usleep(20_000)
        }
    }

    func readPID(_ path: String) throws -> Int32 {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8), let pid = Int32(text) else {
            throw KeeperError("\(path) does not hold a pid")
        }
        return pid
    }

    func keeperLog() -> String { (try? String(contentsOfFile: paths.log, encoding: .utf8)) ?? "" }

    // MARK: Processes

    /// Runs `script` with /bin/sh as the keeper's daemon, with stdin on /dev/null and stdout
    /// and stderr on /dev/null or the given descriptors; returns its pid. Its process group
    /// (the daemon's own, setpgid) is killed at the end of the test.
    @discardableResult
    func daemon(_ c: KeeperConnection, _ script: String, stdout: Int32? = nil, stderr: Int32? = nil) throws -> Int32 {
        let null = open("/dev/null", O_RDWR | O_CLOEXEC)
        defer { close(null) }
        let pid = try c.startDaemon(arguments: ["/bin/sh", "-c", script], stdin: null, stdout: stdout ?? null, stderr: stderr ?? null)
        groups.append(pid)
        return pid
    }

    /// Runs `script` as a daemon that starts the test's processes and exits, and waits for its
    /// exit: they are the keeper's children then.
    func spawnChildren(_ c: KeeperConnection, _ script: String, stdout: Int32? = nil, stderr: Int32? = nil, timeout: Double = 60) throws {
        let pid = try daemon(c, script, stdout: stdout, stderr: stderr)
        guard case .daemonExit(pid, 0)? = try c.nextEvent(timeout: .seconds(timeout)) else {
            throw KeeperError("the daemon that starts the test's processes did not exit 0")
        }
    }

    /// Pids a script wrote to a file, one a line; they are killed at the end of the test.
    func pids(in file: String) throws -> [Int32] {
        let found = ((try? String(contentsOfFile: file, encoding: .utf8)) ?? "").split(separator: "\n").compactMap { Int32($0) }
        pids += found
        return found
    }

    /// Writes an executable helper script into the test's directory; returns its path.
    func script(_ name: String, _ text: String) -> String {
        let path = dir + "/" + name
        try? text.write(toFile: path, atomically: true, encoding: .utf8)
        chmod(path, 0o755)
        return path
    }

    func touch(_ name: String) { _ = FileManager.default.createFile(atPath: dir + "/" + name, contents: nil) }

    /// A pipe whose ends are close-on-exec in this process.
    static func pipe() -> (read: Int32, write: Int32) {
        var fds: [Int32] = [-1, -1]
        _ = Glibc.pipe(&fds)
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        return (fds[0], fds[1])
    }

    /// Reads what a pipe holds until `expected` appears or the time is up.
    static func read(_ fd: Int32, until expected: String, timeout: Double = 5) -> String {
        var text = ""
        let deadline = Date().addingTimeInterval(timeout)
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !text.contains(expected) && Date() < deadline {
            var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&p, 1, 100) > 0 else { continue }
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            text += String(decoding: buffer[0..<n], as: UTF8.self)
        }
        return text
    }

    /// Gone: no /proc entry, or a zombie (the keeper is a grandchild of init once detached, and
    /// init reaps when it gets to it).
    static func isGone(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return true }
        guard let close = stat.lastIndex(of: ")") else { return true }
        return stat[stat.index(close, offsetBy: 2)] == "Z"
    }

    /// The pids whose parent is `parent` (field 4 of /proc/<pid>/stat).
    static func children(of parent: Int32) -> [Int32] {
        let all = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return all.compactMap { Int32($0) }.filter { pid in
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { return false }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            return fields.count > 1 && Int32(fields[1]) == parent
        }
    }

    func eventually(_ timeout: Double, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if condition() { return true }
            usleep(20_000)
        }
        return condition()
    }

    /// Kills what the test started, lets the keeper go and checks it went.
    func finish(file: StaticString = #filePath, line: UInt = #line) {
        for group in groups { kill(-group, SIGKILL) }
        for pid in pids { kill(pid, SIGKILL) }
        if keeperPID > 0 {
            for pid in Self.children(of: keeperPID) { kill(pid, SIGKILL) }
            let stopped = eventually(10) {
                if Self.isGone(keeperPID) { return true }
                if let c = try? connect() {
                    for entry in (try? c.list()) ?? [] { try? c.ack(entry.id) }
                    c.close()
                }
                kill(keeperPID, SIGTERM)
                return eventually(0.3) { Self.isGone(keeperPID) }
            }
            if !stopped {
                kill(keeperPID, SIGKILL)
                XCTFail("the keeper (pid \(keeperPID)) was still running at the end of the test", file: file, line: line)
            }
        }
        try? FileManager.default.removeItem(atPath: dir)
    }

    // MARK: Running commands

    /// Runs a command to completion (posix_spawn; output to files): status, stdout, stderr.
    static func run(_ argv: [String]) -> (status: Int32, out: String, err: String) {
        let out = "/tmp/swiftlet-keeper-test-out-\(UUID().uuidString.prefix(8))"
        defer { unlink(out); unlink(out + ".err") }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, out, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, out + ".err", O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        let cArgs = argv.map { strdup($0) } + [nil]
        defer { cArgs.forEach { free($0) } }
        var pid: pid_t = 0
        guard posix_spawn(&pid, argv[0], &actions, nil, cArgs, environ) == 0 else { return (-1, "", "cannot run \(argv[0])") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let code = Keeper.decode(waitStatus: status).code ?? -1
        return (code, (try? String(contentsOfFile: out, encoding: .utf8)) ?? "", (try? String(contentsOfFile: out + ".err", encoding: .utf8)) ?? "")
    }

    /// A process's memory from /proc/<pid>/smaps_rollup, in kB.
    static func memory(_ pid: Int32) -> (pss: Int, privateDirty: Int) {
        let text = (try? String(contentsOfFile: "/proc/\(pid)/smaps_rollup", encoding: .utf8)) ?? ""
        func field(_ name: String) -> Int {
            for line in text.split(separator: "\n") where line.hasPrefix(name + ":") {
                return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") ?? -1
            }
            return -1
        }
        return (field("Pss"), field("Private_Dirty"))
    }
}
