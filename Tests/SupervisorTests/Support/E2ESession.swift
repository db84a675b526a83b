import Foundation

/// One end-to-end test's world: a state root, files and a network namespace of its own, driven
/// through the real `swiftlet` binary the way a user would drive it (`run -d`, `get pods -o
/// json`, `get events`, `delete`). Deletes every pod it left when it goes away, also when the
/// test failed, and then its namespace.
///
/// Every `swiftlet` runs inside the session's network namespace (`nsenter --net`), so the pod
/// network's bridge, routes, sysctls and iptables rules live there and vanish with it: tests
/// never change the machine's own network. `run` uses an empty CNI config directory of the
/// session's (so swiftlet's default network, with leases under the session's root), never
/// /etc/cni/net.d.
final class E2ESession {
    /// The repository this file lives in.
    static let repo: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { url.deleteLastPathComponent() }
        return url.path
    }()
    /// The `swiftlet` built next to the test binary, else the default debug build.
    static let swiftlet: String = {
        let dir = URL(fileURLWithPath: CommandLine.arguments.first ?? "").deletingLastPathComponent().path
        return FileManager.default.isExecutableFile(atPath: dir + "/swiftlet") ? dir + "/swiftlet" : repo + "/.build/debug/swiftlet"
    }()
    /// `rootfs/build-busybox.sh`: a busybox root filesystem (sh, httpd, sleep, head, tail...).
    static let busybox = repo + "/rootfs/busybox"
    /// `rootfs/build-kubia.sh`: the seed's server, 200 for five requests, then 500.
    static let kubia = repo + "/rootfs/kubia-unhealthy/bundle"

    let dir: String
    /// The session's network namespace (`ip netns`), where every swiftlet it starts runs.
    let netns: String
    var netnsPath: String { "/run/netns/" + netns }
    /// An empty CNI config directory: `run` gets swiftlet's default network.
    var cniConfDir: String { dir + "/cni-conf" }
    var root: String { dir + "/root" }

    init() {
        let id = UUID().uuidString.prefix(8).lowercased()
        dir = "/tmp/swiftlet-e2e-\(id)"
        netns = "swiftlet-e2e-\(id)"
        try? FileManager.default.createDirectory(atPath: dir + "/cni-conf", withIntermediateDirectories: true)
        _ = Self.shell(["ip", "netns", "add", netns])
        _ = Self.shell(["ip", "netns", "exec", netns, "ip", "link", "set", "lo", "up"])
    }

    deinit {
        for name in (try? FileManager.default.contentsOfDirectory(atPath: dir + "/root/pods")) ?? [] {
            _ = run(["delete", "pod", name, "--grace-period", "1"])
        }
        stopDaemonAndKeeper()
        _ = Self.shell(["ip", "netns", "del", netns])
        try? FileManager.default.removeItem(atPath: dir)
    }

    /// The daemon and keeper of the session's root, once its pods are gone: the daemon is asked
    /// to stop (SIGTERM, by its pid file), the keeper then exits by itself once idle; one that
    /// does not within 10 s is killed (both are ours: their pids come from our own root).
    func stopDaemonAndKeeper() {
        if let pid = Self.pid(inFile: root + "/daemon.pid") { kill(pid, SIGTERM) }
        guard let keeper = Self.pid(inFile: root + "/keeper.pid") else { return }
        for _ in 0..<200 where kill(keeper, 0) == 0 { usleep(50_000) }
        if kill(keeper, 0) == 0 { kill(keeper, SIGKILL) }
    }

    static func pid(inFile path: String) -> pid_t? {
        (try? String(contentsOfFile: path, encoding: .utf8)).flatMap { pid_t($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }

    /// Runs a command in the session's network namespace (e.g. `busybox wget` to a pod IP).
    @discardableResult
    func inNetns(_ command: [String]) -> (status: Int32, out: String) {
        Self.shell(["ip", "netns", "exec", netns] + command)
    }

    /// Runs a command to completion; stdout and stderr together.
    @discardableResult
    static func shell(_ command: [String]) -> (status: Int32, out: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = command
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return (-1, "cannot run \(command[0])") }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    // MARK: Running swiftlet

    /// A `swiftlet` process started by `spawn`, whose output goes to files until it is reaped.
    struct Child {
        let pid: pid_t
        let outPath: String
        var errPath: String { outPath + ".err" }
    }

    /// Starts `swiftlet` with posix_spawn, stdin on /dev/null and stdout/stderr on files:
    /// Foundation's Process can miss the exit of a child that started a detached supervisor,
    /// and wait forever.
    func spawn(_ args: [String]) -> Child? {
        // `run` gets the session's empty CNI config dir unless the test chose a network itself.
        var args = args
        if args.first == "run", !args.contains(where: { $0.hasPrefix("--cni-conf-dir") || $0.hasPrefix("--network") }) {
            args.insert(contentsOf: ["--cni-conf-dir", cniConfDir], at: 1)
        }
        return spawn(executable: Self.swiftlet, args)
    }

    /// Starts `executable` (this build's swiftlet, or another build) as `spawn` starts swiftlet:
    /// in the session's network namespace, with the session's root.
    func spawn(executable: String, _ args: [String]) -> Child? {
        let outPath = dir + "/.out-\(UUID().uuidString.prefix(6))"
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, outPath + ".err", O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        let argv = (["/usr/bin/nsenter", "--net=" + netnsPath, "--", executable] + args).map { strdup($0) } + [nil]
        let env = (ProcessInfo.processInfo.environment.merging(["SWIFTLET_ROOT": root]) { $1 })
            .map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + env).forEach { free($0) } }
        var pid: pid_t = 0
        guard posix_spawn(&pid, "/usr/bin/nsenter", &actions, nil, argv, env) == 0 else { return nil }
        return Child(pid: pid, outPath: outPath)
    }

    /// Waits for a spawned `swiftlet`; after `timeout` seconds it is killed (SIGKILL, by pid) and
    /// its status reads as -1.
    func wait(_ child: Child, timeout: Double = 120) -> (status: Int32, out: String, err: String) {
        let deadline = Date().addingTimeInterval(timeout)
        var status: Int32 = 0
        var exited = false
        while !exited {
            let r = waitpid(child.pid, &status, WNOHANG)
            if r == child.pid { exited = true; break }
            if r < 0 && errno != EINTR { break }
            if Date() > deadline {
                kill(child.pid, SIGKILL)
                while waitpid(child.pid, &status, 0) < 0 && errno == EINTR {}
                break
            }
            usleep(20_000)
        }
        let out = (try? String(contentsOfFile: child.outPath, encoding: .utf8)) ?? ""
        let err = (try? String(contentsOfFile: child.errPath, encoding: .utf8)) ?? ""
        unlink(child.outPath)
        unlink(child.errPath)
        // WIFEXITED: the low 7 bits are 0.
        return (exited && status & 0x7f == 0 ? (status >> 8) & 0xff : -1, out, err)
    }

    /// Runs `swiftlet` to completion (see `spawn` and `wait`).
    @discardableResult
    func run(_ args: [String], timeout: Double = 120) -> (status: Int32, out: String, err: String) {
        guard let child = spawn(args) else { return (-1, "", "spawn failed") }
        return wait(child, timeout: timeout)
    }

    // MARK: Files

    /// Writes pod YAML to a file of the session; returns its path.
    func write(_ yaml: String) -> String {
        let path = dir + "/pod-\(UUID().uuidString.prefix(6)).yaml"
        try? yaml.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// A directory for an `httpd -h` document root (mount it with a hostPath volume): `files` are
    /// written as they are, `scripts` under `cgi-bin/`, executable.
    func webRoot(files: [String: String] = [:], scripts: [String: String] = [:]) -> String {
        let root = dir + "/www-\(UUID().uuidString.prefix(6))"
        try? FileManager.default.createDirectory(atPath: root + "/cgi-bin", withIntermediateDirectories: true)
        for (name, text) in files { try? text.write(toFile: root + "/" + name, atomically: true, encoding: .utf8) }
        for (name, text) in scripts {
            let path = root + "/cgi-bin/" + name
            try? text.write(toFile: path, atomically: true, encoding: .utf8)
            chmod(path, 0o755)
        }
        return root
    }

    // MARK: Observing

    /// `get pods NAME -o json`, parsed.
    func pod(_ name: String) -> [String: Any]? {
        let r = run(["get", "pods", name, "-o", "json"])
        return (try? JSONSerialization.jsonObject(with: Data(r.out.utf8))) as? [String: Any]
    }

    /// `status.containerStatuses[0]`.
    func containerStatus(_ name: String) -> [String: Any]? {
        ((pod(name)?["status"] as? [String: Any])?["containerStatuses"] as? [[String: Any]])?.first
    }

    func restarts(_ name: String) -> Int {
        containerStatus(name)?["restartCount"] as? Int ?? -1
    }

    func phase(_ name: String) -> String? { (pod(name)?["status"] as? [String: Any])?["phase"] as? String }

    /// `status.conditions[type]`'s status ("True", "False"), if the condition is there.
    func condition(_ name: String, _ type: String) -> String? {
        let conditions = (pod(name)?["status"] as? [String: Any])?["conditions"] as? [[String: Any]]
        return conditions?.first { $0["type"] as? String == type }?["status"] as? String
    }

    /// The pod's events (`get events --for pod/NAME -o json`), oldest first.
    func events(_ name: String) -> [(type: String, reason: String, message: String, count: Int)] {
        let r = run(["get", "events", "--for", "pod/\(name)", "-o", "json"])
        let list = (try? JSONSerialization.jsonObject(with: Data(r.out.utf8))) as? [String: Any]
        return ((list?["items"] as? [[String: Any]]) ?? []).map { e in
            (e["type"] as? String ?? "", e["reason"] as? String ?? "", e["message"] as? String ?? "", e["count"] as? Int ?? 0)
        }
    }

    /// The messages of the pod's events of one reason.
    func messages(_ name: String, reason: String) -> [String] {
        events(name).filter { $0.reason == reason }.map(\.message)
    }

    /// Polls `condition` every 250 ms for up to `seconds`.
    func eventually(_ seconds: Double, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            usleep(250_000)
        }
        return condition()
    }

    /// Checks `condition` every 250 ms for `seconds`; false as soon as it fails once.
    func throughout(_ seconds: Double, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if !condition() { return false }
            usleep(250_000)
        }
        return condition()
    }
}
