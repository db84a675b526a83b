import Foundation
import Testing

/// What the client suites need from the machine: root, the runtime under test, the busybox rootfs,
/// the client programs, and views of cgroups and mounts to check that a test left nothing behind.
enum Host {
    static let isRoot = geteuid() == 0
    static let rootReason: Comment = "needs root: podman and containerd run real containers (run the suite as root, as CI does)"

    /// The repository root, from this file's path.
    static let repo: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { url.deleteLastPathComponent() }
        return url.path
    }()

    /// The OCI runtime podman and containerd are given: CLIENT_TEST_RUNTIME (an absolute path,
    /// e.g. /usr/sbin/runc to check the harness) or the swiftlet-runtime built next to the tests.
    static let runtime: String = {
        if let path = ProcessInfo.processInfo.environment["CLIENT_TEST_RUNTIME"], !path.isEmpty { return path }
        let besideTests = URL(fileURLWithPath: CommandLine.arguments.first ?? "")
            .deletingLastPathComponent().appendingPathComponent("swiftlet-runtime").path
        if FileManager.default.isExecutableFile(atPath: besideTests) { return besideTests }
        return repo + "/.build/debug/swiftlet-runtime"
    }()

    /// rootfs/busybox with symlinks in its path resolved, built by rootfs/build-busybox.sh if missing.
    static func busybox() throws -> String {
        let path = URL(fileURLWithPath: repo + "/rootfs/busybox").resolvingSymlinksInPath().path
        if !FileManager.default.fileExists(atPath: path + "/bin/busybox") {
            let r = Shell.run(repo + "/rootfs/build-busybox.sh", [], timeout: 300)
            guard r.status == 0 else { throw Failure("rootfs/build-busybox.sh failed:\n\(r)") }
        }
        return URL(fileURLWithPath: path).resolvingSymlinksInPath().path
    }

    /// The absolute paths of `programs`; a missing one fails the suite (CI must not skip silently).
    static func require(_ programs: [String]) throws -> [String: String] {
        var found: [String: String] = [:]
        for name in programs {
            guard let path = Shell.which(name) else {
                throw Failure("\(name) is not installed: `make deps` installs it (Debian packages podman conmon catatonit containerd)")
            }
            found[name] = path
        }
        guard FileManager.default.isExecutableFile(atPath: runtime) else {
            throw Failure("the runtime under test \(runtime) is not executable (build it, or set CLIENT_TEST_RUNTIME)")
        }
        return found
    }

    /// A fresh directory under /tmp for one suite.
    static func tempDir(_ prefix: String) -> String {
        let path = "/tmp/\(prefix)-\(UUID().uuidString.prefix(8).lowercased())"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    // MARK: cgroups

    /// The mounted hierarchies: /sys/fs/cgroup/<controller> and unified on a hybrid host, or
    /// /sys/fs/cgroup itself on a pure cgroup v2 host.
    static let cgroupRoots: [String] = {
        let base = "/sys/fs/cgroup"
        if FileManager.default.fileExists(atPath: base + "/cgroup.controllers") { return [base] }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: base)) ?? []
        return names.sorted().map { base + "/" + $0 }.filter { isDirectory($0) }
    }()

    /// The cgroup v2 hierarchy: /sys/fs/cgroup/unified on a hybrid host, else /sys/fs/cgroup.
    static let unifiedRoot: String = cgroupRoots.contains("/sys/fs/cgroup/unified") ? "/sys/fs/cgroup/unified" : "/sys/fs/cgroup"

    /// `relative` (e.g. "/swiftlet-test/t1") in every hierarchy where it exists.
    static func cgroups(_ relative: String) -> [String] {
        cgroupRoots.map { $0 + relative }.filter { isDirectory($0) }
    }

    /// The pids in a cgroup directory (zombies are not listed).
    static func procs(_ cgroupDir: String) -> [pid_t] {
        let text = (try? String(contentsOfFile: cgroupDir + "/cgroup.procs", encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { pid_t($0) }
    }

    /// Removes `relative` and every cgroup below it, in every hierarchy (rmdir only: a cgroup
    /// that still holds processes stays, and is returned).
    @discardableResult
    static func removeCgroupTree(_ relative: String) -> [String] {
        var left: [String] = []
        for top in cgroups(relative) {
            var dirs = [top]
            if let walker = FileManager.default.enumerator(atPath: top) {
                for case let sub as String in walker where isDirectory(top + "/" + sub) { dirs.append(top + "/" + sub) }
            }
            for dir in dirs.sorted(by: { $0.count > $1.count }) where rmdir(dir) != 0 && errno != ENOENT {
                left.append(dir)
            }
        }
        return left
    }

    // MARK: mounts and processes

    /// Mount points at or below `dir` in the mount namespace of `pid`.
    static func mounts(under dir: String, pid: String = "self") -> [String] {
        let text = (try? String(contentsOfFile: "/proc/\(pid)/mountinfo", encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ")
            guard fields.count > 4 else { return nil }
            let point = String(fields[4])
            return point == dir || point.hasPrefix(dir + "/") ? point : nil
        }
    }

    static func isAlive(_ pid: pid_t) -> Bool {
        // A zombie is gone for our purposes: it holds nothing but its exit status.
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return false }
        return !stat[close...].hasPrefix(") Z")
    }

    static func isDirectory(_ path: String) -> Bool {
        var isDir: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDir) && isDir.boolValue
    }
}

/// A setup failure with a message for the test log.
struct Failure: Error, CustomStringConvertible {
    var description: String
    init(_ message: String) { description = message }
}
