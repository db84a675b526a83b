import Foundation
import Testing

/// A process as the daemon tests identify it: pid and /proc start time (field 22 of
/// `/proc/<pid>/stat`), so a reused pid is never taken for the process it was.
struct ProcessID: Hashable, CustomStringConvertible {
    let pid: pid_t
    let startTime: UInt64

    init(pid: pid_t, startTime: UInt64) {
        self.pid = pid
        self.startTime = startTime
    }

    /// The process now running under `pid`, if any.
    init?(pid: pid_t) {
        guard let stat = Proc.stat(pid) else { return nil }
        self.init(pid: pid, startTime: stat.startTime)
    }

    /// Still this process, and not a zombie.
    var isAlive: Bool {
        guard let stat = Proc.stat(pid) else { return false }
        return stat.startTime == startTime && stat.state != "Z"
    }

    var description: String { "\(pid)" }
}

/// What /proc says about processes.
enum Proc {
    /// State (`R`, `S`, `Z`...), parent and start time from `/proc/<pid>/stat`.
    static func stat(_ pid: pid_t) -> (state: Character, ppid: pid_t, startTime: UInt64)? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = text.lastIndex(of: ")") else { return nil }
        // Fields after "pid (comm)": [0] is field 3 (state), [1] field 4 (ppid), [19] field 22.
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 19, let state = fields[0].first, let ppid = pid_t(fields[1]),
              let start = UInt64(fields[19]) else { return nil }
        return (state, ppid, start)
    }

    /// The children of a single-threaded process (`/proc/<pid>/task/<pid>/children`).
    static func children(of pid: pid_t) -> [pid_t] {
        let text = (try? String(contentsOfFile: "/proc/\(pid)/task/\(pid)/children", encoding: .utf8)) ?? ""
        return text.split(separator: " ").compactMap { pid_t($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }

    /// How many descriptors the process has open.
    static func fdCount(_ pid: pid_t) -> Int {
        ((try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd")) ?? []).count
    }

    static func exe(_ pid: pid_t) -> String? {
        try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/exe")
    }

    static func cmdline(_ pid: pid_t) -> String {
        let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") ?? Data()
        return String(decoding: data.map { $0 == 0 ? UInt8(ascii: " ") : $0 }, as: UTF8.self)
    }

    static func cgroups(_ pid: pid_t) -> String {
        (try? String(contentsOfFile: "/proc/\(pid)/cgroup", encoding: .utf8)) ?? ""
    }

    /// Every pid in /proc now.
    static func all() -> [pid_t] {
        ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap { pid_t($0) }
    }
}

/// One container as its pod's record (`pod.json`) has it: what must not change when a daemon
/// is killed, restarted or upgraded.
struct ContainerSnapshot: Equatable, CustomStringConvertible {
    let pid: Int?
    let pidStartTime: Int?
    let startedAt: String?
    let restartCount: Int
    let instance: Int

    var description: String {
        "pid \(pid.map(String.init) ?? "-") start \(pidStartTime.map(String.init) ?? "-") startedAt \(startedAt ?? "-") restarts \(restartCount) instance \(instance)"
    }
}

/// The daemon tests' view of a session: the daemon and keeper of its root, the records, the
/// keeper's children, and what must be gone when a test ends.
extension E2ESession {
    var daemonPID: pid_t? { Self.pid(inFile: root + "/daemon.pid") }
    var keeperPID: pid_t? { Self.pid(inFile: root + "/keeper.pid") }

    /// A prefix for the pod names of one test: its containers' cgroups (`<pod>-<c>-<n>-<uid8>`)
    /// are then told from any other session's.
    func podPrefix(_ word: String) -> String {
        word + "-" + String(dir.suffix(8)).prefix(6)
    }

    /// `run -d -f` of `yaml`, expected to succeed; false when it failed (the test then ends).
    @discardableResult
    func runDetached(_ yaml: String, backoff: String = "1s", sourceLocation: SourceLocation = #_sourceLocation) -> Bool {
        let r = run(["run", "-d", "-f", write(yaml), "--backoff-initial", backoff])
        #expect(r.status == 0, "run -d failed: \(r.err)", sourceLocation: sourceLocation)
        return r.status == 0
    }

    /// `swiftlet daemon -d` (with `executable`, another build of swiftlet, when given); expected
    /// to succeed, which it does once the daemon serves. Returns the new daemon.
    @discardableResult
    func startDaemon(executable: String = E2ESession.swiftlet, sourceLocation: SourceLocation = #_sourceLocation) -> ProcessID? {
        var r: (status: Int32, out: String, err: String) = (-1, "", "spawn failed")
        if executable == Self.swiftlet {
            r = run(["daemon", "-d"], timeout: 60)
        } else if let child = spawn(executable: executable, ["daemon", "-d"]) {
            r = wait(child, timeout: 60)
        }
        #expect(r.status == 0, "daemon -d failed (\(r.status)): \(r.out) \(r.err)\n\(daemonLogTail())", sourceLocation: sourceLocation)
        return daemonPID.flatMap { ProcessID(pid: $0) }
    }

    /// SIGKILL to the daemon (by its pid file); returns once it is gone (reaped by the keeper).
    @discardableResult
    func killDaemon(sourceLocation: SourceLocation = #_sourceLocation) -> ProcessID? {
        signalDaemon(SIGKILL, sourceLocation: sourceLocation)
    }

    /// SIGTERM to the daemon: it stops and leaves every pod running. Returns once it is gone.
    @discardableResult
    func stopDaemon(sourceLocation: SourceLocation = #_sourceLocation) -> ProcessID? {
        signalDaemon(SIGTERM, sourceLocation: sourceLocation)
    }

    private func signalDaemon(_ signal: Int32, sourceLocation: SourceLocation) -> ProcessID? {
        guard let pid = daemonPID, let daemon = ProcessID(pid: pid) else {
            Issue.record("no daemon runs on \(root)", sourceLocation: sourceLocation)
            return nil
        }
        kill(pid, signal)
        #expect(eventuallyFast(10) { !daemon.isAlive && Proc.stat(pid) == nil }, "the daemon (pid \(pid)) is gone",
                sourceLocation: sourceLocation)
        return daemon
    }

    /// Like `eventually`, polling every 20 ms (for process states, not for CLI calls).
    func eventuallyFast(_ seconds: Double, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            usleep(20_000)
        }
        return condition()
    }

    func daemonLogTail(_ lines: Int = 15) -> String {
        let log = (try? String(contentsOfFile: root + "/daemon.log", encoding: .utf8)) ?? ""
        return "daemon.log (last lines):\n" + log.split(separator: "\n").suffix(lines).joined(separator: "\n")
    }

    func keeperLogTail(_ lines: Int = 15) -> String {
        let log = (try? String(contentsOfFile: root + "/keeper.log", encoding: .utf8)) ?? ""
        return "keeper.log (last lines):\n" + log.split(separator: "\n").suffix(lines).joined(separator: "\n")
    }

    // MARK: Pods, all at once

    /// `get pods -o json`: every pod by name.
    func allPods() -> [String: [String: Any]] {
        let r = run(["get", "pods", "-o", "json"])
        let json = (try? JSONSerialization.jsonObject(with: Data(r.out.utf8))) as? [String: Any]
        let items = (json?["items"] as? [[String: Any]]) ?? (json.map { [$0] } ?? [])
        var pods: [String: [String: Any]] = [:]
        for item in items {
            if let name = (item["metadata"] as? [String: Any])?["name"] as? String { pods[name] = item }
        }
        return pods
    }

    /// Every event of the root (`get events -o json`): pod, reason, message, count.
    func allEvents() -> [(pod: String, reason: String, message: String, count: Int)] {
        let r = run(["get", "events", "-o", "json"])
        let list = (try? JSONSerialization.jsonObject(with: Data(r.out.utf8))) as? [String: Any]
        return ((list?["items"] as? [[String: Any]]) ?? []).map { e in
            ((e["involvedObject"] as? [String: Any])?["name"] as? String ?? "", e["reason"] as? String ?? "",
             e["message"] as? String ?? "", e["count"] as? Int ?? 0)
        }
    }

    /// The Killing and Unhealthy events, one line each (with their counts).
    func killingOrUnhealthy() -> [String] {
        allEvents().filter { $0.reason == "Killing" || $0.reason == "Unhealthy" }
            .map { "\($0.pod) \($0.reason) x\($0.count): \($0.message)" }.sorted()
    }

    /// The pod's first container as its record has it.
    func snapshot(_ pod: String) -> ContainerSnapshot? {
        guard let c = (record(pod)?["containers"] as? [[String: Any]])?.first else { return nil }
        let running = (c["state"] as? [String: Any])?["running"] as? [String: Any]
        return ContainerSnapshot(pid: c["pid"] as? Int, pidStartTime: c["pidStartTime"] as? Int,
                                 startedAt: running.map { "\($0["startedAt"] ?? "")" }, restartCount: c["restartCount"] as? Int ?? -1,
                                 instance: c["instance"] as? Int ?? -1)
    }

    /// The running container of the pod (pid and start time from its record).
    func containerProcess(_ pod: String) -> ProcessID? {
        guard let s = snapshot(pod), let pid = s.pid, let start = s.pidStartTime else { return nil }
        return ProcessID(pid: pid_t(pid), startTime: UInt64(start))
    }

    /// The pod's pause process (sandbox) from its record.
    func sandboxProcess(_ pod: String) -> ProcessID? {
        guard let r = record(pod), let pid = r["sandboxPID"] as? Int, let start = r["sandboxStartTime"] as? Int else { return nil }
        return ProcessID(pid: pid_t(pid), startTime: UInt64(start))
    }

    /// The cgroup directories (v2, and the v1 ones joined for limits) the pod's record names.
    func recordedCgroups(_ pod: String) -> [String] {
        var paths: [String] = []
        for c in (record(pod)?["containers"] as? [[String: Any]]) ?? [] {
            let cgroup = c["cgroup"] as? [String: Any]
            paths += ((cgroup?["v1"] as? [String: String]) ?? [:]).values.sorted()
            if let v2 = cgroup?["v2"] as? String { paths.append(v2) }
        }
        return paths
    }

    // MARK: The keeper

    /// The keeper's children now (containers, pod sandboxes and the daemon).
    func keeperChildren() -> [ProcessID] {
        guard let keeper = keeperPID else { return [] }
        return Proc.children(of: keeper).compactMap { ProcessID(pid: $0) }
    }

    /// The keeper's children that are zombies (exited, not reaped).
    func keeperZombies() -> [pid_t] {
        guard let keeper = keeperPID else { return [] }
        return Proc.children(of: keeper).filter { Proc.stat($0)?.state == "Z" }
    }

    /// The container cgroup directories whose name starts with `prefix`, in the v2 hierarchy
    /// swiftlet uses (hybrid: /sys/fs/cgroup/unified/swiftlet; pure v2: /sys/fs/cgroup/swiftlet).
    static func cgroupDirs(prefix: String) -> [String] {
        ["/sys/fs/cgroup/unified/swiftlet", "/sys/fs/cgroup/swiftlet"].flatMap { dir in
            ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter { $0.hasPrefix(prefix) }.map { dir + "/" + $0 }
        }.sorted()
    }

    /// How many container cgroups each pod has: the names are `<pod>-<container>-<n>-<uid8>`.
    func cgroupsPerPod(_ pods: [String]) -> [String: Int] {
        var counts: [String: Int] = [:]
        for pod in pods { counts[pod] = Self.cgroupDirs(prefix: pod + "-c-").count }
        return counts
    }
}

/// Everything a daemon test saw of its session (processes, cgroups), and the check that none of
/// it outlives the test: the last step of every test in `DaemonE2ETests`.
final class SessionTrace {
    let session: E2ESession
    let prefix: String
    private(set) var processes: Set<ProcessID> = []
    private(set) var cgroups: Set<String> = []

    init(_ session: E2ESession, prefix: String) {
        self.session = session
        self.prefix = prefix
    }

    /// Notes the daemon, the keeper, its children and whatever the pods' records name.
    func note() {
        let s = session
        for pid in [s.daemonPID, s.keeperPID].compactMap({ $0 }) {
            if let p = ProcessID(pid: pid) { processes.insert(p) }
        }
        processes.formUnion(s.keeperChildren())
        for pod in s.entries("pods") {
            if let p = s.containerProcess(pod) { processes.insert(p) }
            if let p = s.sandboxProcess(pod) { processes.insert(p) }
            cgroups.formUnion(s.recordedCgroups(pod))
        }
    }

    func note(_ process: ProcessID?) {
        if let process { processes.insert(process) }
    }

    /// Deletes every pod (`delete pods --all`), stops the daemon, and expects the keeper to exit
    /// by itself; then nothing of the session may be left: no process it saw, no process of its
    /// root or in its pods' cgroups, no cgroup, mount, pinned namespace or network attachment.
    func expectCleanEnd(sourceLocation: SourceLocation = #_sourceLocation) {
        let s = session
        note()
        if !s.entries("pods").isEmpty {
            let deleted = s.run(["delete", "pods", "--all", "--grace-period", "1"], timeout: 90)
            #expect(deleted.status == 0, "delete pods --all: \(deleted.err)\n\(s.daemonLogTail())", sourceLocation: sourceLocation)
        }
        #expect(s.entries("pods").isEmpty, "pods left: \(s.entries("pods"))", sourceLocation: sourceLocation)
        if let pid = s.daemonPID, let daemon = ProcessID(pid: pid) {
            kill(pid, SIGTERM)
            #expect(s.eventuallyFast(10) { !daemon.isAlive }, "the daemon stops on SIGTERM", sourceLocation: sourceLocation)
        }
        if let pid = s.keeperPID, let keeper = ProcessID(pid: pid) {
            #expect(s.eventuallyFast(8) { !keeper.isAlive },
                    "the keeper (pid \(pid)) exits once it holds nothing and has no daemon\n\(s.keeperLogTail())",
                    sourceLocation: sourceLocation)
        }
        let alive = processes.filter(\.isAlive)
        #expect(alive.isEmpty, "still running: \(alive.map { "\($0.pid) \(Proc.cmdline($0.pid))" })", sourceLocation: sourceLocation)
        let root = s.root
        let others = Proc.all().filter { pid in
            Proc.stat(pid).map { $0.state != "Z" } == true
                && (Proc.cmdline(pid).contains(root) || Proc.cgroups(pid).contains("/swiftlet/" + prefix))
        }
        #expect(others.isEmpty, "processes of the session still run: \(others.map { "\($0) \(Proc.cmdline($0))" })",
                sourceLocation: sourceLocation)
        let dirs = E2ESession.cgroupDirs(prefix: prefix)
        #expect(dirs.isEmpty, "cgroups left: \(dirs)", sourceLocation: sourceLocation)
        let recorded = cgroups.filter { FileManager.default.fileExists(atPath: $0) }
        #expect(recorded.isEmpty, "recorded cgroups left: \(recorded.sorted())", sourceLocation: sourceLocation)
        let mounts = ((try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)) ?? "")
            .split(separator: "\n").filter { $0.contains(s.dir + "/") }
        #expect(mounts.isEmpty, "mounts left: \(mounts.prefix(3))", sourceLocation: sourceLocation)
        #expect(s.entries("netns").isEmpty, "pinned namespaces left: \(s.entries("netns"))", sourceLocation: sourceLocation)
        let networks = s.entries("networks").filter { $0.hasSuffix(".json") }
        #expect(networks.isEmpty, "network attachments left: \(networks)", sourceLocation: sourceLocation)
        // Whatever is left is the session's own: killed, unmounted and removed so that nothing
        // outlives the session (its directory cannot go while something is mounted in it).
        for p in alive { kill(p.pid, SIGKILL) }
        for line in mounts {
            let fields = line.split(separator: " ")
            if fields.count > 4 { umount2(String(fields[4]), Int32(MNT_DETACH)) }
        }
        for dir in dirs {
            for _ in 0..<50 where rmdir(dir) != 0 && errno == EBUSY { usleep(20_000) }
        }
    }
}

/// Pod YAML for the daemon tests (1 s grace periods, busybox).
enum DaemonPods {
    /// busybox httpd serving `www` (a host directory) on 8080, with HTTP liveness and readiness
    /// probes on /healthz every second.
    static func web(_ name: String, www: String, livenessFailures: Int = 1) -> String {
        NetworkPods.pod(name, script: NetworkPods.onTerm("httpd -f -p 8080 -h /www"), spec: """
            volumes:
            - name: www
              hostPath: {path: \(www)}
            """, container: """
            volumeMounts:
            - {name: www, mountPath: /www, readOnly: true}
            livenessProbe:
              httpGet: {path: /healthz, port: 8080}
              periodSeconds: 1
              failureThreshold: \(livenessFailures)
            readinessProbe:
              httpGet: {path: /healthz, port: 8080}
              periodSeconds: 1
              failureThreshold: 1
            """)
    }

    /// A container running `sh -c script` under `restartPolicy`.
    static func script(_ name: String, _ script: String, restartPolicy: String = "Always", container: String = "") -> String {
        NetworkPods.pod(name, script: script, spec: "restartPolicy: \(restartPolicy)", container: container)
    }

    static func sleeper(_ name: String, restartPolicy: String = "Always") -> String {
        script(name, NetworkPods.onTerm("sleep 600"), restartPolicy: restartPolicy)
    }
}
