import Foundation
import Testing

/// podman 4.3 (through conmon) driving the runtime under test (`Host.runtime`; CLIENT_TEST_RUNTIME
/// overrides it) with cgroupfs, no network, the busybox image.
@Suite("podman drives the runtime", .enabled(if: Host.isRoot, Host.rootReason), .serialized, .privatePodman)
final class PodmanClientTests {
    let podman: Podman
    let image = Podman.image

    init() throws { podman = try #require(Podman.current) }

    /// After each test: nothing left (containers, mounts, cgroups, conmons).
    deinit { for problem in podman.leftovers() { Issue.record(Comment(rawValue: problem)) } }

    func run(_ args: [String]) -> Shell.Output { podman(["run"] + podman.runFlags + args) }

    func status(_ name: String) -> String {
        podman(["inspect", "--format", "{{.State.Status}}", name]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test("run --rm prints the command's output and exits 0")
    func runOutput() {
        let r = run(["--rm", image, "echo", "hi"])
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout == "hi\n", "\(r)")
    }

    @Test("run --rm exits with the command's exit code")
    func runExitCode() {
        let r = run(["--rm", image, "sh", "-c", "exit 3"])
        #expect(r.status == 3, "\(r)")
    }

    @Test("run of a missing command exits 127 with podman's not-found message")
    func runMissingCommand() {
        let r = run(["--rm", image, "/nonexistent"])
        #expect(r.status == 127, "\(r)")
        #expect(r.stderr.contains("/nonexistent"), "\(r)")
        // podman adds this when the runtime's error says "no such file or directory" or
        // "executable file not found in" (libpod/oci_util.go).
        #expect(r.stderr.contains("OCI runtime attempted to invoke a command that was not found"), "\(r)")
    }

    @Test("run -d, ps, exec, exec -t, stop, rm")
    func detachedLifecycle() throws {
        let started = run(["-d", "--name", "c1", image, "sleep", "1000"])
        try #require(started.status == 0, "\(started)")
        #expect(started.stdout.trimmingCharacters(in: .newlines).count == 64, "a container id: \(started)")
        #expect(status("c1") == "running")
        let ps = podman(["ps", "--format", "{{.Names}} {{.Status}}"])
        #expect(ps.lines.contains { $0.hasPrefix("c1 Up") }, "\(ps)")

        let ls = podman(["exec", "c1", "ls", "/"])
        #expect(ls.status == 0, "\(ls)")
        #expect(ls.lines.contains("bin"), "\(ls)")
        let failing = podman(["exec", "c1", "sh", "-c", "exit 5"])
        #expect(failing.status == 5, "\(failing)")
        let tty = podman.onTerminal(["exec", "-t", "c1", "sh", "-c", "tty; echo ok"])
        #expect(tty.status == 0, "\(tty)")
        #expect(tty.lines.contains { $0.hasPrefix("/dev/pts/") }, "\(tty)")
        #expect(tty.lines.contains("ok"), "\(tty)")

        // busybox sleep as PID 1 ignores SIGTERM: podman falls back to SIGKILL after 1 s.
        let stop = podman(["stop", "-t", "1", "c1"])
        #expect(stop.status == 0, "\(stop)")
        #expect(status("c1") == "exited")
        let rm = podman(["rm", "c1"])
        #expect(rm.status == 0, "\(rm)")
        #expect(podman(["ps", "-aq"]).stdout.isEmpty)
    }

    @Test("pause, unpause and top of a running container")
    func pauseAndTop() throws {
        let started = run(["-d", "--name", "c2", image, "sleep", "1000"])
        try #require(started.status == 0, "\(started)")
        let top = podman(["top", "c2"])
        #expect(top.status == 0, "\(top)")
        #expect(top.stdout.contains("sleep 1000"), "\(top)")

        let pause = podman(["pause", "c2"])
        #expect(pause.status == 0, "\(pause)")
        #expect(status("c2") == "paused")
        let unpause = podman(["unpause", "c2"])
        #expect(unpause.status == 0, "\(unpause)")
        #expect(status("c2") == "running")
        let exec = podman(["exec", "c2", "echo", "awake"])
        #expect(exec.stdout == "awake\n", "\(exec)")

        let rm = podman(["rm", "-f", "-t", "0", "c2"])
        #expect(rm.status == 0, "\(rm)")
    }

    @Test("run -it --rm sh on a terminal")
    func interactiveRun() {
        let r = podman.onTerminal(["run", "-it", "--rm"] + podman.runFlags + [image, "sh"], stdin: "echo hello; exit\n")
        #expect(r.status == 0, "\(r)")
        #expect(r.lines.contains("hello"), "\(r)")
    }

    @Test("podman info shows the runtime and its version")
    func info() {
        let r = podman(["info", "--format", "{{.Host.OCIRuntime.Name}}\n{{.Host.OCIRuntime.Version}}"])
        #expect(r.status == 0, "\(r)")
        let lines = r.lines
        #expect(lines.first == podman.runtime, "\(r)")
        // `<name> version X.Y.Z` is what clients parse from `--version` (go-runc).
        let name = URL(fileURLWithPath: podman.runtime).lastPathComponent
        let version = lines.dropFirst().first ?? ""
        #expect(version.hasPrefix("\(name) version "), "\(r)")
        #expect(version.dropFirst("\(name) version ".count).first?.isNumber == true, "\(r)")
    }
}
