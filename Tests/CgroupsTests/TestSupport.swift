import CShims
import Glibc
@testable import Cgroups

/// Live tests create real cgroups: they need root.
let isRoot = getuid() == 0
/// The host's layout, nil when it cannot be detected (then every live test is skipped).
let hostLayout: CgroupLayout? = try? CgroupLayout.detect()

var isUnifiedHost: Bool { if case .unified? = hostLayout { true } else { false } }

/// Root and a cgroup layout: the condition of every live test.
let canCreateCgroups = isRoot && hostLayout != nil

/// The host has `controller` where containers' resources go (v2 on unified hosts, v1 otherwise).
func hostHasController(_ controller: String) -> Bool {
    switch hostLayout {
    case let .unified(mount)?:
        let available = (try? CgroupFS.read(mount + "/cgroup.controllers")) ?? ""
        return available.split(whereSeparator: \.isWhitespace).contains { $0 == controller }
    case let .hybrid(_, v1)?, let .legacy(v1)?:
        return v1[controller] != nil
    case nil:
        return false
    }
}

/// A cgroup name no other test (or test run) uses.
func uniqueName(_ tag: String) -> String {
    "test-\(tag)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
}

/// Creates a cgroup, runs `body`, and destroys the cgroup whatever happens.
func withCgroup<T>(
    _ tag: String, resources: CgroupResources = CgroupResources(),
    _ body: (Cgroup) throws -> T
) throws -> T {
    guard let layout = hostLayout else { throw CgroupError.notMounted }
    let cgroup = try Cgroup.create(name: uniqueName(tag), layout: layout, resources: resources)
    defer { try? cgroup.destroy() }
    return try body(cgroup)
}

/// A child process started with posix_spawn. Its stdin is a pipe it can be held on (scripts
/// start with `read x` so they only run once moved into the cgroup); stdout and stderr are
/// captured together. `deinit` kills and reaps it if the test did not, so nothing outlives a test.
final class Child {
    let pid: pid_t
    private var stdinFD: Int32
    private let outputFD: Int32
    private var reaped = false

    init(_ argv: [String]) throws {
        var input: [Int32] = [-1, -1]
        var output: [Int32] = [-1, -1]
        guard sl_pipe_cloexec(&input) == 0 else { throw TestFailure("pipe2 failed") }
        guard sl_pipe_cloexec(&output) == 0 else {
            close(input[0]); close(input[1])
            throw TestFailure("pipe2 failed")
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, input[0], 0)
        posix_spawn_file_actions_adddup2(&actions, output[1], 1)
        posix_spawn_file_actions_adddup2(&actions, output[1], 2)
        // The test runner may block or ignore signals; a child must start with the defaults.
        var attr = posix_spawnattr_t()
        posix_spawnattr_init(&attr)
        defer { posix_spawnattr_destroy(&attr) }
        var all = sigset_t()
        var none = sigset_t()
        sigfillset(&all)
        sigemptyset(&none)
        posix_spawnattr_setsigdefault(&attr, &all)
        posix_spawnattr_setsigmask(&attr, &none)
        posix_spawnattr_setflags(&attr, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
        let cArgs = argv.map { strdup($0) } + [nil]
        defer { for p in cArgs { free(p) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, argv[0], &actions, &attr, cArgs, environ)
        close(input[0])
        close(output[1])
        guard rc == 0 else {
            close(input[1]); close(output[0])
            throw TestFailure("posix_spawn \(argv[0]): \(String(cString: strerror(rc)))")
        }
        self.pid = pid
        self.stdinFD = input[1]
        self.outputFD = output[0]
    }

    /// Lets a script waiting on `read x` go on.
    func release() {
        guard stdinFD >= 0 else { return }
        _ = write(stdinFD, "go\n", 3)
        close(stdinFD)
        stdinFD = -1
    }

    /// Everything it (and its children) wrote, until EOF or the timeout.
    func output(timeoutMs: Int32 = 20_000) -> String {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        var pfd = pollfd(fd: outputFD, events: Int16(POLLIN), revents: 0)
        while poll(&pfd, 1, timeoutMs) > 0 {
            let n = chunk.withUnsafeMutableBytes { read(outputFD, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            bytes.append(contentsOf: chunk[0..<n])
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    enum Exit: Equatable { case code(Int32), signal(Int32) }

    /// Reaps it (blocking).
    func wait() -> Exit {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        reaped = true
        return status & 0x7f == 0 ? .code((status >> 8) & 0xff) : .signal(status & 0x7f)
    }

    deinit {
        if stdinFD >= 0 { close(stdinFD) }
        close(outputFD)
        if !reaped {
            kill(pid, SIGKILL)
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        }
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// `sh -c script` held until `release()`.
func shell(_ script: String) throws -> Child {
    try Child(["/bin/sh", "-c", "read x; " + script])
}

func fileText(_ path: String) -> String? {
    (try? CgroupFS.readIfPresent(path))?.map { $0.trimmingCharacters() }
}

extension String {
    func trimmingCharacters() -> String {
        String(self.drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed())
    }
}
