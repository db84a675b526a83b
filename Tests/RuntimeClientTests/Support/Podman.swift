import Foundation
import Testing

/// A podman private to one suite: its own storage, run and libpod directories, containers.conf,
/// network config directory and cgroup parent, all under a temp dir; the image localhost/bb:latest
/// imported from rootfs/busybox. Nothing of the host's podman (/var/lib/containers, /run/libpod,
/// libpod_parent) is used.
final class Podman: @unchecked Sendable {
    @TaskLocal static var current: Podman?

    static let image = "localhost/bb:latest"
    let dir: String
    let podman: String
    let runtime = Host.runtime
    /// The containers' and conmon's cgroup parent, e.g. /swiftlet-test-podman-1a2b3c4d.
    let cgroupParent: String
    let env: [String: String]

    init() throws {
        let tools = try Host.require(["podman", "conmon", "script", "unshare", "tar"])
        podman = tools["podman"]!
        dir = Host.tempDir("swiftlet-podman")
        cgroupParent = "/" + URL(fileURLWithPath: dir).lastPathComponent.replacingOccurrences(of: "swiftlet-podman", with: "swiftlet-test-podman")
        for sub in ["tmp", "net"] {
            try FileManager.default.createDirectory(atPath: dir + "/" + sub, withIntermediateDirectories: true)
        }
        // runtime_supports_json: conmon passes --log-format=json --log <file> to these runtimes
        // (matched by basename). lock_type "file": locks under --tmpdir, not the host's
        // /dev/shm/libpod_lock. image_copy_tmp_dir and TMPDIR: no big files in /var/tmp.
        let conf = """
            [engine]
            runtime_supports_json = ["crun", "runc", "swiftlet-runtime"]
            lock_type = "file"
            image_copy_tmp_dir = "\(dir)/tmp"

            """
        try conf.write(toFile: dir + "/containers.conf", atomically: true, encoding: .utf8)
        env = ["CONTAINERS_CONF": dir + "/containers.conf", "TMPDIR": dir + "/tmp"]
        do { try importImage(from: Host.busybox()) } catch { _ = Podman.removeTree(dir); throw error }
    }

    /// podman's global flags: everything private to `dir`.
    var globalFlags: [String] {
        ["--root", dir + "/storage", "--runroot", dir + "/run", "--tmpdir", dir + "/libpod",
         "--network-config-dir", dir + "/net", "--storage-driver", "vfs", "--cgroup-manager=cgroupfs",
         "--events-backend=file"]
    }

    /// Flags for every `podman run`: no network, no pulls, rlimits this VM allows, our cgroup parent.
    var runFlags: [String] {
        ["--network=none", "--pull=never", "--ulimit", "nofile=20000:20000", "--ulimit", "nproc=32768:32768",
         "--cgroup-parent", cgroupParent]
    }

    /// `podman --runtime RUNTIME ARGS`.
    func callAsFunction(_ args: [String], timeout: TimeInterval = 30) -> Shell.Output {
        Shell.run(podman, globalFlags + ["--runtime", runtime] + args, env: env, timeout: timeout)
    }

    /// `podman --runtime RUNTIME ARGS` on a pty (for -t), fed `stdin`.
    func onTerminal(_ args: [String], stdin: String = "", timeout: TimeInterval = 30) -> Shell.Output {
        Shell.onTerminal([podman] + globalFlags + ["--runtime", runtime] + args, env: env, stdin: stdin, timeout: timeout)
    }

    /// `tar -C rootfs -c . | podman import - localhost/bb:latest`, and `podman save` of it for
    /// containerd. Both write containers/image's blob-info cache, always
    /// /var/lib/containers/cache for root: they run in a private mount namespace with a tmpfs there.
    private func importImage(from rootfs: String) throws {
        let r = privateVarLib("tar -C \(Shell.quote(rootfs)) -c . | \(podmanLine) import - \(Podman.image)")
        guard r.status == 0 else { throw Failure("podman import of \(rootfs) failed:\n\(r)") }
    }

    /// The image as a docker-archive tarball at `path` (for `ctr images import`).
    func save(to path: String) throws {
        let r = privateVarLib("\(podmanLine) save -o \(Shell.quote(path)) \(Podman.image)")
        guard r.status == 0 else { throw Failure("podman save failed:\n\(r)") }
    }

    private var podmanLine: String { ([podman] + globalFlags).map(Shell.quote).joined(separator: " ") }

    private func privateVarLib(_ command: String) -> Shell.Output {
        let hide = "if [ -d /var/lib/containers ]; then mount -t tmpfs tmpfs /var/lib/containers; else mount -t tmpfs tmpfs /var/lib; fi"
        return Shell.run("/usr/bin/unshare", ["--mount", "--propagation", "private", "/bin/sh", "-c", "\(hide) && \(command)"],
                         env: env, timeout: 120)
    }

    /// After each test: removes every container (`rm -af`), then reports what is still there:
    /// containers the test left, containers rm could not remove, mounts under `dir`, container
    /// cgroups under our parent, conmons still running.
    func leftovers() -> [String] {
        var problems: [String] = []
        let before = self(["ps", "-aq"]).lines.filter { !$0.isEmpty }
        if !before.isEmpty { problems.append("containers left by the test: \(before)") }
        let rm = self(["rm", "-af", "-t", "0"], timeout: 60)
        if rm.status != 0 { problems.append("podman rm -af failed: \(rm)") }
        let after = self(["ps", "-aq"]).lines.filter { !$0.isEmpty }
        if !after.isEmpty { problems.append("containers podman rm -af left: \(after)") }
        // `podman container cleanup`, run by conmon when a container exits, unmounts asynchronously.
        if !Shell.eventually({ Host.mounts(under: dir).isEmpty }) {
            problems.append("mounts left under \(dir): \(Host.mounts(under: dir))")
        }
        var containerCgroups: [String] = []
        let gone = Shell.eventually {
            containerCgroups = Host.cgroupRoots.flatMap { root -> [String] in
                let names = (try? FileManager.default.contentsOfDirectory(atPath: root + cgroupParent)) ?? []
                return names.filter { $0.hasPrefix("libpod-") }.map { root + cgroupParent + "/" + $0 }
            }
            return containerCgroups.isEmpty
        }
        if !gone {
            problems.append("container cgroups left: \(containerCgroups)")
            for cgroup in containerCgroups { rmdir(cgroup) }
        }
        let conmons = Host.cgroups(cgroupParent + "/conmon")
        if !Shell.eventually({ conmons.allSatisfy { Host.procs($0).isEmpty } }) {
            problems.append("conmon still running: \(Set(conmons.flatMap(Host.procs)).sorted())")
        }
        return problems
    }

    /// At the end of the suite: kills whatever still runs in our cgroups (only processes podman
    /// started for us), removes the cgroup tree, unmounts what is left under `dir` and removes it.
    func close() -> [String] {
        var problems: [String] = []
        _ = self(["rm", "-af", "-t", "0"], timeout: 60)
        let stray = Set(Host.cgroups(cgroupParent).flatMap { top in
            [top] + ((try? FileManager.default.subpathsOfDirectory(atPath: top)) ?? []).map { top + "/" + $0 }
        }.filter(Host.isDirectory).flatMap(Host.procs))
        if !stray.isEmpty {
            problems.append("processes left in \(cgroupParent), killed: \(stray.sorted())")
            for pid in stray { kill(pid, SIGKILL) }
        }
        if !Shell.eventually({ Host.removeCgroupTree(cgroupParent).isEmpty }) {
            problems.append("cgroups that cannot be removed: \(Host.removeCgroupTree(cgroupParent))")
        }
        problems += Podman.removeTree(dir)
        return problems
    }

    /// Unmounts anything left below `dir` (deepest first), then deletes it; never deletes while a
    /// mount is left, so a bind mount cannot lead the removal outside.
    static func removeTree(_ dir: String) -> [String] {
        for point in Host.mounts(under: dir).sorted(by: { $0.count > $1.count }) { umount2(point, Int32(MNT_DETACH)) }
        let left = Host.mounts(under: dir)
        if !left.isEmpty { return ["mounts under \(dir) cannot be unmounted, kept it: \(left)"] }
        do { try FileManager.default.removeItem(atPath: dir) } catch { return ["cannot remove \(dir): \(error)"] }
        return []
    }
}

/// Gives a suite one private podman, made before its first test and removed after its last
/// (tests check for leftovers themselves: see the suites' deinit).
struct PodmanScope: SuiteTrait, TestScoping {
    func provideScope(for test: Test, testCase: Test.Case?,
                      performing function: @Sendable () async throws -> Void) async throws {
        let podman = try Podman()
        defer { for problem in podman.close() { Issue.record(Comment(rawValue: problem)) } }
        try await Podman.$current.withValue(podman) { try await function() }
    }
}

extension Trait where Self == PodmanScope {
    /// A private podman for the suite: `Podman.current` in its tests.
    static var privatePodman: PodmanScope { PodmanScope() }
}
