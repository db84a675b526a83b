import CShims
import Cgroups
import ContainerRuntime
import Foundation
import Testing

/// A `swiftlet-runtime run` in the background, for tests that act on a running container.
final class BackgroundRun {
    let bundle: TestBundle
    let id: String
    let process = Process()
    private let out = Pipe(), err = Pipe()
    let pidFile: String

    init(_ bundle: TestBundle, id: String = TestSupport.uniqueID()) throws {
        self.bundle = bundle
        self.id = id
        pidFile = bundle.dir + "/pid"
        process.executableURL = URL(fileURLWithPath: TestSupport.runtime)
        process.arguments = ["--root", bundle.stateRoot, "run", "--bundle", bundle.dir, "--pid-file", pidFile, id]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // The pid file is written once the container's program runs.
        for _ in 0..<200 where !FileManager.default.fileExists(atPath: pidFile) && process.isRunning {
            usleep(20_000)
        }
    }

    var containerPID: Int32? {
        (try? String(contentsOfFile: pidFile, encoding: .utf8)).flatMap { Int32($0) }
    }

    /// Waits for `run` to exit; returns its status and output.
    func finish() -> TestSupport.Output {
        let o = TestSupport.readAll(out.fileHandleForReading.fileDescriptor)
        let e = TestSupport.readAll(err.fileHandleForReading.fileDescriptor)
        process.waitUntilExit()
        let status = process.terminationReason == .uncaughtSignal ? 128 + process.terminationStatus : process.terminationStatus
        return TestSupport.Output(status: status, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() }
        _ = bundle.cli(["delete", "--force", id])
    }
}

@Suite(.enabled(if: TestSupport.isRoot, TestSupport.rootReason), .serialized)
struct LifecycleTests {
    static let sleeper = ["sh", "-c", "trap 'echo got TERM; exit 42' TERM; while true; do sleep 0.1; done"]

    @Test func execListStateKill() throws {
        let run = try BackgroundRun(TestBundle(args: Self.sleeper) { $0.hostname = "execbox" })
        let pid = try #require(run.containerPID)
        let b = run.bundle

        let list = b.cli(["list"])
        #expect(list.stdout.contains(run.id) && list.stdout.contains("running"), "\(list.stdout)")
        let state = b.cli(["state", run.id])
        #expect(state.stdout.contains("\"pid\": \(pid)") && state.stdout.contains("\"status\": \"running\""), "\(state.stdout)")

        let exec = b.cli(["exec", run.id, "--", "sh", "-c", "hostname; echo $$; cat /proc/self/status; ls /proc/self/fd; exit 3"])
        #expect(exec.status == 3, "\(exec.stderr)")
        let lines = exec.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first == "execbox")
        #expect((Int(lines[1]) ?? 0) > 1, "exec'd process is in the container's pid namespace, not its init")
        #expect(SecurityTests.status("CapEff", in: exec.stdout) == SecurityTests.dockerCaps)
        #expect(SecurityTests.status("Seccomp", in: exec.stdout) == "2")
        #expect(SecurityTests.status("NoNewPrivs", in: exec.stdout) == "1")
        #expect(Array(lines.suffix(4)) == ["0", "1", "2", "3"], "only stdio reaches an exec'd process: \(lines.suffix(4))")

        let ps = b.cli(["exec", run.id, "--", "ps", "-o", "pid,args"])
        #expect(ps.stdout.contains("    1 sh -c trap"), "\(ps.stdout)")

        #expect(b.cli(["kill", run.id, "TERM"]).status == 0)
        let done = run.finish()
        #expect(done.status == 42)
        #expect(done.stdout.contains("got TERM"))
        #expect(b.cli(["state", run.id]).stderr.contains("does not exist"))
    }

    @Test func execWithATerminalGetsAPty() throws {
        let run = try BackgroundRun(TestBundle(args: Self.sleeper))
        let r = run.bundle.cli(["exec", "--tty", run.id, "--", "sh", "-c", "tty; exit 4"])
        #expect(r.status == 4, "\(r.stderr)")
        #expect(r.stdout.hasPrefix("/dev/pts/"), "\(r.stdout)")
        _ = run.bundle.cli(["kill", run.id, "KILL"])
        _ = run.finish()
    }

    @Test func killAllReachesEveryProcessOfTheContainer() throws {
        // The init ignores TERM; a child would survive a signal to the init alone.
        let run = try BackgroundRun(TestBundle(args: ["sh", "-c", "trap '' TERM; sleep 60 & wait"]))
        let pid = try #require(run.containerPID)
        #expect(run.bundle.cli(["kill", "--all", run.id, "KILL"]).status == 0)
        #expect(run.finish().status == 137)
        #expect(kill(pid, 0) != 0)
    }

    @Test func deleteRefusesARunningContainerUnlessForced() throws {
        let run = try BackgroundRun(TestBundle(args: Self.sleeper))
        let refused = run.bundle.cli(["delete", run.id])
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("that is not stopped: running"), "runc's text: \(refused.stderr)")
        #expect(run.bundle.cli(["delete", "--force", run.id]).status == 0)
        #expect(run.finish().status == 137)
        #expect(run.bundle.cli(["list", "-q"]).stdout.isEmpty)
    }

    @Test func signalsToTheRuntimeReachTheContainer() throws {
        let run = try BackgroundRun(TestBundle(args: Self.sleeper))
        #expect(run.containerPID != nil)
        kill(run.process.processIdentifier, SIGTERM)
        let done = run.finish()
        #expect(done.status == 42, "\(done.stderr)")
        #expect(done.stdout.contains("got TERM"))
    }

    @Test func killedByASignalGives128PlusN() throws {
        let run = try BackgroundRun(TestBundle(args: Self.sleeper))
        #expect(run.bundle.cli(["kill", run.id, "KILL"]).status == 0)
        #expect(run.finish().status == 137)
    }

    @Test func anIdCannotBeUsedTwice() throws {
        let run = try BackgroundRun(TestBundle(args: Self.sleeper))
        let second = run.bundle.run(id: run.id)
        #expect(second.status != 0)
        #expect(second.stderr.contains("container \"\(run.id)\" already exists"), "\(second.stderr)")
        _ = run.bundle.cli(["kill", run.id, "KILL"])
        _ = run.finish()
    }

    @Test func deleteRemovesWhatAKilledRuntimeLeft() throws {
        let run = try BackgroundRun(TestBundle(args: Self.sleeper))
        let pid = try #require(run.containerPID)
        let state = run.bundle.cli(["state", run.id]).stdout
        // SIGKILL the runtime: the container dies with it (pdeathsig); state and cgroup remain.
        kill(run.process.processIdentifier, SIGKILL)
        _ = run.finish()
        for _ in 0..<100 where kill(pid, 0) == 0 { usleep(20_000) }
        #expect(kill(pid, 0) != 0, "the container outlived its runtime")
        #expect(run.bundle.cli(["state", run.id]).stdout.contains("\"status\": \"stopped\""))
        #expect(run.bundle.cli(["delete", run.id]).status == 0)
        #expect(run.bundle.cli(["list", "-q"]).stdout.isEmpty)
        for dir in CgroupDirs.inState(state) { #expect(!FileManager.default.fileExists(atPath: dir), "\(dir) left behind") }
    }

    /// Makes the spec join the namespace of `type` at `path` instead of creating one.
    static func join(_ spec: inout OCISpec, _ type: String, _ path: String) {
        guard var linux = spec.linux else { return }
        linux.namespaces = linux.namespaces.map { $0.type == type ? OCISpec.Namespace(type: type, path: path) : $0 }
        spec.linux = linux
    }

    /// Namespaces named by path are joined, not created: a second container in the first one's
    /// network and uts namespaces (how a pod's containers share its sandbox).
    @Test func joinsNamespacesByPath() throws {
        let first = try BackgroundRun(TestBundle(args: Self.sleeper) { $0.hostname = "sandbox" })
        let pid = try #require(first.containerPID)
        let second = TestBundle(args: ["sh", "-c", "hostname; for n in net uts pid; do readlink /proc/self/ns/$n; done"]) {
            $0.hostname = nil
            Self.join(&$0, "network", "/proc/\(pid)/ns/net")
            Self.join(&$0, "uts", "/proc/\(pid)/ns/uts")
        }
        let r = second.run()
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n").map(String.init)
        try #require(lines.count == 4, "\(r.stdout)")
        #expect(lines[0] == "sandbox")
        #expect(lines[1] == (try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/ns/net")))
        #expect(lines[2] == (try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/ns/uts")))
        #expect(lines[3] != (try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/ns/pid")), "pid namespace is its own")
        _ = first.bundle.cli(["kill", first.id, "KILL"])
        _ = first.finish()
    }

    @Test func aPathThatIsNotANamespaceIsRefused() {
        let b = TestBundle(args: ["true"]) { Self.join(&$0, "network", "/etc/hostname") }
        let r = b.run()
        #expect(r.status != 0)
        #expect(r.stderr.contains("/etc/hostname"), "\(r.stderr)")
    }

    /// A config.json written by `runc spec` (terminal: true, relative rootfs) runs unchanged but
    /// for its args; the pty's output reaches our stdout.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/sbin/runc"), "needs Debian's runc for `runc spec`"))
    func aRuncSpecRunsUnchanged() throws {
        let dir = TestSupport.tempDir("swiftlet-runc-spec")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(TestSupport.sh("cd '\(dir)' && runc spec && ln -s '\(TestSupport.busybox)' rootfs").status == 0)
        let edit = "import json; p='\(dir)/config.json'; c=json.load(open(p)); c['process']['args']=['sh','-c','tty; echo via-pty; exit 5']; json.dump(c, open(p,'w'))"
        #expect(TestSupport.run("/usr/bin/python3", ["-c", edit]).status == 0)
        let r = TestSupport.run(TestSupport.runtime, ["--root", dir + "/state", "run", "--bundle", dir, TestSupport.uniqueID()])
        #expect(r.status == 5, "\(r.stderr)")
        #expect(r.stdout.contains("/dev/pts/0") && r.stdout.contains("via-pty"), "\(r.stdout)")
    }
}

/// Nothing is left on the host: no mount, no cgroup, no process, no fd in the runtime. Measured
/// in a separate quiet process (swiftlet-leakcheck), since this test process has other threads
/// opening and closing fds of their own.
@Suite(.enabled(if: TestSupport.isRoot, TestSupport.rootReason), .serialized)
struct LeakTests {
    @Test func twoHundredContainersInARowLeaveNothingBehind() {
        let b = TestBundle(args: ["true"])
        let checker = (TestSupport.runtime as NSString).deletingLastPathComponent + "/swiftlet-leakcheck"
        let r = TestSupport.run(checker, [b.dir, "200"], timeout: 300)
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        #expect(r.stdout.contains("containers: 200, unexpected outcomes: 0"), "\(r.stdout)")
        #expect(r.stdout.contains("leaked fds: []") && r.stdout.contains("leaked cgroups: []"), "\(r.stdout)")
        #expect(r.stdout.contains("mount table unchanged: true"), "\(r.stdout)")
    }

    /// Kernels without clone3 (before 5.3): clone(2), and the child joins its cgroup through
    /// cgroup.procs before anything else. Simulated with a filter that answers clone3 with ENOSYS.
    @Test func theCloneFallbackStillPutsTheContainerInItsCgroup() {
        let b = TestBundle(args: ["sleep", "0.1"])
        let checker = (TestSupport.runtime as NSString).deletingLastPathComponent + "/swiftlet-leakcheck"
        let r = TestSupport.run(checker, ["--without-clone3", b.dir, "5"], timeout: 120)
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        #expect(r.stdout.contains("containers: 5, unexpected outcomes: 0"), "\(r.stdout)")
    }
}

/// The container cgroup directories under swiftlet's parents on this host.
enum CgroupDirs {
    static func all() -> Set<String> {
        let r = TestSupport.sh("find /sys/fs/cgroup -type d -path '*/swiftlet/*' 2>/dev/null")
        return Set(r.stdout.split(separator: "\n").map(String.init))
    }

    /// The directories named in a `state` document.
    static func inState(_ json: String) -> [String] {
        json.split(separator: "\"").map(String.init).filter { $0.hasPrefix("/sys/fs/cgroup/") }
    }
}
