import Foundation
import Testing

/// containerd 1.6 (ctr, the runc v2 shim) driving the runtime under test as its `--runc-binary`
/// (`Host.runtime`; CLIENT_TEST_RUNTIME overrides it), native snapshotter, no network.
@Suite("containerd drives the runtime", .enabled(if: Host.isRoot, Host.rootReason), .serialized, .privateContainerd)
final class ContainerdClientTests {
    let containerd: Containerd

    init() throws { containerd = try #require(Containerd.current) }

    /// After each test: nothing left (tasks, containers, shims, mounts, cgroups).
    deinit { for problem in containerd.leftovers() { Issue.record(Comment(rawValue: problem)) } }

    @Test("ctr run --rm prints the command's output and exits 0")
    func runOutput() {
        let r = containerd.run(["--rm"], "t1", ["echo", "hi"])
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout == "hi\n", "\(r)")
    }

    @Test("ctr run --rm exits with the command's exit code")
    func runExitCode() {
        let r = containerd.run(["--rm"], "t1", ["sh", "-c", "exit 3"])
        #expect(r.status == 3, "\(r)")
    }

    @Test("ctr run -d, task exec, exec -t, ps, pause, resume, kill, rm")
    func detachedLifecycle() throws {
        let started = containerd.run(["-d"], "t2", ["sleep", "1000"])
        try #require(started.status == 0, "\(started)")
        #expect(containerd.tasks()["t2"] == "RUNNING")

        let ls = containerd.ctr(["task", "exec", "--exec-id", "e1", "t2", "ls", "/"])
        #expect(ls.status == 0, "\(ls)")
        #expect(ls.lines.contains("bin"), "\(ls)")
        let failing = containerd.ctr(["task", "exec", "--exec-id", "e2", "t2", "sh", "-c", "exit 6"])
        #expect(failing.status == 6, "\(failing)")
        let tty = containerd.ctrOnTerminal(["task", "exec", "-t", "--exec-id", "e3", "t2", "sh", "-c", "tty; echo ok"])
        #expect(tty.status == 0, "\(tty)")
        #expect(tty.lines.contains { $0.hasPrefix("/dev/pts/") }, "\(tty)")
        #expect(tty.lines.contains("ok"), "\(tty)")

        // `task ps` asks the runtime (`ps --format json`) for the container's pids.
        let taskLs = containerd.ctr(["task", "ls"])
        let pid = taskLs.lines.first { $0.hasPrefix("t2 ") }?.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first
        let ps = containerd.ctr(["task", "ps", "t2"])
        #expect(ps.status == 0, "\(ps)")
        #expect(pid != nil && ps.lines.dropFirst().contains { $0.hasPrefix(String(pid!) + " ") }, "\(taskLs)\n\(ps)")

        let pause = containerd.ctr(["task", "pause", "t2"])
        #expect(pause.status == 0, "\(pause)")
        #expect(containerd.tasks()["t2"] == "PAUSED")
        let resume = containerd.ctr(["task", "resume", "t2"])
        #expect(resume.status == 0, "\(resume)")
        #expect(containerd.tasks()["t2"] == "RUNNING")

        // busybox sleep as PID 1 ignores SIGTERM.
        let kill = containerd.ctr(["task", "kill", "-s", "SIGKILL", "t2"])
        #expect(kill.status == 0, "\(kill)")
        #expect(Shell.eventually { containerd.tasks()["t2"] == "STOPPED" }, "\(containerd.ctr(["task", "ls"]))")
        let rm = containerd.ctr(["task", "rm", "t2"])
        #expect(rm.status == 0, "\(rm)")
        let crm = containerd.ctr(["containers", "rm", "t2"])
        #expect(crm.status == 0, "\(crm)")
    }

    @Test("ctr run -t --rm sh on a terminal")
    func interactiveRun() {
        let r = containerd.ctrOnTerminal(["run", "--runc-binary", containerd.runtime, "--snapshotter", "native",
                                          "-t", "--rm", Containerd.image, "t3", "sh"],
                                         stdin: "echo hello; exit\n")
        #expect(r.status == 0, "\(r)")
        #expect(r.lines.contains("hello"), "\(r)")
    }
}
