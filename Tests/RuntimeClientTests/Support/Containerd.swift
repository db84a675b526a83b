import Foundation
import Testing

/// A containerd private to one suite, started with its own config (root, state, sockets under a
/// temp dir, no CRI), in its own cgroup and its own mount namespace: containerd 1.6 keeps shim
/// sockets, runc state and ctr's fifos under the fixed /run/containerd, so that namespace gets a
/// private tmpfs on /run. ctr runs in the same namespace (nsenter). The host's containerd
/// (/etc/containerd, /var/lib/containerd, /run/containerd) is never touched.
final class Containerd: @unchecked Sendable {
    @TaskLocal static var current: Containerd?

    static let namespace = "swiftlet-test"
    static let image = Podman.image
    let dir: String
    let runtime = Host.runtime
    let ctrPath: String
    let nsenter: String
    /// A cgroup v2 group holding containerd and every shim it starts.
    let cgroup: String
    /// containerd's pid (0 until started), and its exit status once reaped.
    private(set) var pid: pid_t = 0
    private var exitStatus: Int32?
    /// Container cgroups (/<namespace>/<id>) present before the suite started: not ours.
    private let namespaceCgroupsBefore: Set<String>

    var socket: String { dir + "/containerd.sock" }

    init() throws {
        let tools = try Host.require(["containerd", "containerd-shim-runc-v2", "ctr", "podman", "conmon",
                                      "script", "unshare", "nsenter", "tar"])
        ctrPath = tools["ctr"]!
        nsenter = tools["nsenter"]!
        dir = Host.tempDir("swiftlet-containerd")
        cgroup = Host.unifiedRoot + "/" + URL(fileURLWithPath: dir).lastPathComponent
        namespaceCgroupsBefore = Containerd.namespaceCgroups()
        do { try start(containerd: tools["containerd"]!) } catch { _ = close(); throw error }
    }

    private func start(containerd: String) throws {
        let config = """
            version = 2
            root = "\(dir)/root"
            state = "\(dir)/state"
            disabled_plugins = ["io.containerd.grpc.v1.cri"]

            [grpc]
              address = "\(socket)"

            [ttrpc]
              address = "\(socket).ttrpc"

            """
        try config.write(toFile: dir + "/config.toml", atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(atPath: cgroup, withIntermediateDirectories: false)

        // The shell joins our cgroup, then becomes unshare, which becomes containerd: one pid.
        let inner = "mount -t tmpfs -o mode=0755 tmpfs /run && exec \(Shell.quote(containerd)) --config \(Shell.quote(dir + "/config.toml"))"
        let outer = "echo $$ > \(Shell.quote(cgroup + "/cgroup.procs")) && exec unshare --mount --propagation private /bin/sh -c \(Shell.quote(inner))"
        pid = try Shell.spawn("/bin/sh", ["-c", outer], output: dir + "/containerd.log", error: dir + "/containerd.log")

        var version = Shell.Output(status: -1, stdout: "", stderr: "")
        let up = Shell.eventually(within: 15) {
            guard isRunning else { return true }
            version = ctr(["version"], timeout: 5)
            return version.status == 0
        }
        guard up && isRunning else { throw Failure("containerd did not come up:\n\(version)\ncontainerd.log:\n\(logTail())") }

        // The image: podman (a private one) saves localhost/bb:latest, ctr imports it.
        let podman = try Podman()
        defer { for problem in podman.close() { Issue.record(Comment(rawValue: problem)) } }
        try podman.save(to: dir + "/bb.tar")
        let imported = ctr(["images", "import", "--snapshotter", "native", dir + "/bb.tar"], timeout: 120)
        guard imported.status == 0 else { throw Failure("ctr images import failed:\n\(imported)") }
    }

    /// Whether containerd still runs (reaps it once it has exited).
    private var isRunning: Bool {
        if pid == 0 || exitStatus != nil { return false }
        exitStatus = Shell.wait(pid, timeout: 0)
        return exitStatus == nil
    }

    /// `ctr -a SOCKET -n swiftlet-test ARGS`, in containerd's mount namespace.
    func ctr(_ args: [String], timeout: TimeInterval = 30) -> Shell.Output {
        Shell.run(nsenter, ctrLine(args), timeout: timeout)
    }

    /// The same on a pty (for -t), fed `stdin`.
    func ctrOnTerminal(_ args: [String], stdin: String = "", timeout: TimeInterval = 30) -> Shell.Output {
        Shell.onTerminal([nsenter] + ctrLine(args), stdin: stdin, timeout: timeout)
    }

    private func ctrLine(_ args: [String]) -> [String] {
        ["--mount=/proc/\(pid)/ns/mnt", "--", ctrPath, "-a", socket, "-n", Containerd.namespace] + args
    }

    /// `ctr run --runc-binary RUNTIME --snapshotter native FLAGS IMAGE ID ARGS...`.
    func run(_ flags: [String], _ id: String, _ args: [String], timeout: TimeInterval = 30) -> Shell.Output {
        ctr(["run", "--runc-binary", runtime, "--snapshotter", "native"] + flags + [Containerd.image, id] + args,
            timeout: timeout)
    }

    /// `ctr task ls` as id → status (RUNNING, PAUSED, STOPPED...).
    func tasks() -> [String: String] {
        var result: [String: String] = [:]
        for line in ctr(["task", "ls"]).lines.dropFirst() {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            if fields.count >= 3 { result[String(fields[0])] = String(fields[2]) }
        }
        return result
    }

    /// The processes in our cgroup other than containerd: its shims (and anything they leaked).
    func shims() -> [pid_t] { Host.procs(cgroup).filter { $0 != pid } }

    /// Container cgroups under /swiftlet-test in every hierarchy.
    static func namespaceCgroups() -> Set<String> {
        Set(Host.cgroups("/" + namespace).flatMap { top in
            ((try? FileManager.default.contentsOfDirectory(atPath: top)) ?? []).map { top + "/" + $0 }.filter(Host.isDirectory)
        })
    }

    /// After each test: reports and removes tasks and containers the test left, then checks that
    /// their shims exited and their mounts and cgroups are gone.
    func leftovers() -> [String] {
        var problems: [String] = []
        let tasks = ctr(["task", "ls", "-q"]).lines.filter { !$0.isEmpty }
        if !tasks.isEmpty {
            problems.append("tasks left by the test: \(tasks)")
            for id in tasks {
                _ = ctr(["task", "kill", "-s", "SIGKILL", id])
                _ = Shell.eventually { self.tasks()[id] != "RUNNING" }
                let rm = ctr(["task", "rm", "-f", id])
                if rm.status != 0 { problems.append("ctr task rm -f \(id) failed: \(rm)") }
            }
        }
        let containers = ctr(["containers", "ls", "-q"]).lines.filter { !$0.isEmpty }
        if !containers.isEmpty {
            problems.append("containers left by the test: \(containers)")
            for id in containers {
                let rm = ctr(["containers", "rm", id])
                if rm.status != 0 { problems.append("ctr containers rm \(id) failed: \(rm)") }
            }
        }
        if !Shell.eventually({ self.shims().isEmpty }) {
            problems.append("shims still running after their tasks were removed: \(shims())")
        }
        for ns in ["\(pid)", "self"] where !Shell.eventually({ Host.mounts(under: dir, pid: ns).isEmpty }) {
            problems.append("mounts left under \(dir) (/proc/\(ns)/mountinfo): \(Host.mounts(under: dir, pid: ns))")
        }
        var cgroups: Set<String> = []
        if !Shell.eventually({ cgroups = Containerd.namespaceCgroups().subtracting(namespaceCgroupsBefore); return cgroups.isEmpty }) {
            problems.append("container cgroups left: \(cgroups.sorted())")
            for path in cgroups { rmdir(path) }
        }
        return problems
    }

    /// At the end of the suite: SIGTERM to containerd (SIGKILL after 10 s), SIGKILL to any shim
    /// still in our cgroup (by pid), then removes our cgroups and the temp dir.
    func close() -> [String] {
        var problems: [String] = []
        if isRunning {
            kill(pid, SIGTERM)
            exitStatus = Shell.wait(pid, timeout: 10)
            if exitStatus == nil {
                problems.append("containerd ignored SIGTERM for 10 s: killed")
                kill(pid, SIGKILL)
                exitStatus = Shell.wait(pid, timeout: .infinity)
            }
        }
        let stray = Host.procs(cgroup)
        if !stray.isEmpty {
            problems.append("processes left in containerd's cgroup after it stopped, killed: \(stray)")
            for p in stray { kill(p, SIGKILL) }
        }
        if Host.isDirectory(cgroup) && !Shell.eventually({ rmdir(cgroup) == 0 || errno == ENOENT }) {
            problems.append("cannot remove \(cgroup): \(String(cString: strerror(errno)))")
        }
        for path in Containerd.namespaceCgroups().subtracting(namespaceCgroupsBefore) { rmdir(path) }
        if namespaceCgroupsBefore.isEmpty {
            // Our runs made /swiftlet-test in each hierarchy: remove it again (rmdir: only if empty).
            for top in Host.cgroups("/" + Containerd.namespace) { rmdir(top) }
        }
        problems += Podman.removeTree(dir)
        return problems
    }

    func logTail(_ lines: Int = 20) -> String {
        let text = (try? String(contentsOfFile: dir + "/containerd.log", encoding: .utf8)) ?? ""
        return text.split(separator: "\n").suffix(lines).joined(separator: "\n")
    }
}

/// Gives a suite one private containerd, made before its first test and removed after its last
/// (tests check for leftovers themselves: see the suites' deinit).
struct ContainerdScope: SuiteTrait, TestScoping {
    func provideScope(for test: Test, testCase: Test.Case?,
                      performing function: @Sendable () async throws -> Void) async throws {
        let containerd = try Containerd()
        defer { for problem in containerd.close() { Issue.record(Comment(rawValue: problem)) } }
        try await Containerd.$current.withValue(containerd) { try await function() }
    }
}

extension Trait where Self == ContainerdScope {
    /// A private containerd for the suite: `Containerd.current` in its tests.
    static var privateContainerd: ContainerdScope { ContainerdScope() }
}
