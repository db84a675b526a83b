import Foundation
import Testing

/// End-to-end: real pods started by the `swiftlet` binary, observed the way a user would (get
/// pods -o json, get events), with short periods and back-offs.
@Suite(.enabled(if: geteuid() == 0, "needs root: pods run real containers"), .serialized)
struct PodLifecycleTests {
    static let repo: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()
    static let swiftlet: String = {
        let dir = URL(fileURLWithPath: CommandLine.arguments.first ?? "").deletingLastPathComponent().path
        return FileManager.default.isExecutableFile(atPath: dir + "/swiftlet") ? dir + "/swiftlet" : repo + "/.build/debug/swiftlet"
    }()
    static let busybox = repo + "/rootfs/busybox"
    static let kubia = repo + "/rootfs/kubia-unhealthy/bundle"

    /// A state root and a YAML file of its own; deletes every pod left at the end.
    final class Session {
        let dir: String
        init() {
            dir = "/tmp/swiftlet-e2e-\(UUID().uuidString.prefix(8))"
            try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        }
        deinit {
            for name in (try? FileManager.default.contentsOfDirectory(atPath: dir + "/root/pods")) ?? [] {
                _ = run(["delete", "pod", name, "--grace-period", "1"])
            }
            try? FileManager.default.removeItem(atPath: dir)
        }

        /// Runs `swiftlet` to completion with posix_spawn and waitpid: Foundation's Process can
        /// miss the exit of a child that started a detached supervisor, and wait forever.
        @discardableResult
        func run(_ args: [String]) -> (status: Int32, out: String, err: String) {
            let outPath = dir + "/.out-\(UUID().uuidString.prefix(6))", errPath = outPath + ".err"
            var actions = posix_spawn_file_actions_t()
            posix_spawn_file_actions_init(&actions)
            defer { posix_spawn_file_actions_destroy(&actions) }
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
            posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
            posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
            let argv = ([PodLifecycleTests.swiftlet] + args).map { strdup($0) } + [nil]
            let env = (ProcessInfo.processInfo.environment.merging(["SWIFTLET_ROOT": dir + "/root"]) { $1 })
                .map { strdup("\($0.key)=\($0.value)") } + [nil]
            defer { (argv + env).forEach { free($0) } }
            var pid: pid_t = 0
            guard posix_spawn(&pid, PodLifecycleTests.swiftlet, &actions, nil, argv, env) == 0 else { return (-1, "", "spawn failed") }
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
            let out = (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
            let err = (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? ""
            unlink(outPath)
            unlink(errPath)
            return ((status >> 8) & 0xff, out, err)
        }

        func write(_ yaml: String) -> String {
            let path = dir + "/pod-\(UUID().uuidString.prefix(6)).yaml"
            try? yaml.write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }

        /// `get pods NAME -o json`, parsed.
        func pod(_ name: String) -> [String: Any]? {
            let r = run(["get", "pods", name, "-o", "json"])
            return (try? JSONSerialization.jsonObject(with: Data(r.out.utf8))) as? [String: Any]
        }

        func restarts(_ name: String) -> Int {
            let statuses = (pod(name)?["status"] as? [String: Any])?["containerStatuses"] as? [[String: Any]]
            return statuses?.first?["restartCount"] as? Int ?? -1
        }

        func phase(_ name: String) -> String? { (pod(name)?["status"] as? [String: Any])?["phase"] as? String }

        /// Polls `condition` every 250 ms for up to `seconds`.
        func eventually(_ seconds: Double, _ condition: () -> Bool) -> Bool {
            let deadline = Date().addingTimeInterval(seconds)
            while Date() < deadline {
                if condition() { return true }
                usleep(250_000)
            }
            return condition()
        }
    }

    @Test func theSeedsPodIsRestartedWhenItsLivenessProbeFails() throws {
        let s = Session()
        let yaml = try String(contentsOfFile: Self.repo + "/rootfs/demo/kubia-liveness-fast.yaml", encoding: .utf8)
            .replacingOccurrences(of: "../kubia-unhealthy/bundle", with: Self.kubia)
        let started = s.run(["run", "-d", "-f", s.write(yaml), "--backoff-initial", "1s"])
        #expect(started.status == 0, "\(started.err)")
        #expect(s.eventually(60) { s.restarts("kubia-liveness") >= 2 }, "restartCount climbs")
        let events = s.run(["get", "events"]).out
        #expect(events.contains("Liveness probe failed: HTTP probe failed with statuscode: 500"), "\(events)")
        #expect(events.contains("Container kubia failed liveness probe, will be restarted"), "\(events)")
        let logs = s.run(["logs", "kubia-liveness", "--previous"])
        #expect(logs.out.contains("Received request from"), "\(logs.out) \(logs.err)")
        let deleted = s.run(["delete", "pod", "kubia-liveness"])
        #expect(deleted.status == 0, "\(deleted.err)")
        #expect(!FileManager.default.fileExists(atPath: s.dir + "/root/pods/kubia-liveness"))
    }

    @Test func execProbesRestartOnlyTheUnhealthy() throws {
        let s = Session()
        func pod(_ name: String, _ script: String) -> String {
            """
            apiVersion: v1
            kind: Pod
            metadata:
              name: \(name)
            spec:
              terminationGracePeriodSeconds: 2   # sleep as pid 1 ignores SIGTERM
              containers:
              - name: c
                image: \(Self.busybox)
                command: ["sh", "-c", "\(script)"]
                livenessProbe:
                  exec:
                    command: ["cat", "/tmp/health"]
                  initialDelaySeconds: 1
                  periodSeconds: 1
                  failureThreshold: 1
            """
        }
        let yaml = pod("healthy", "echo ok > /tmp/health; exec sleep 600") + "\n---\n"
            + pod("unhealthy", "echo ok > /tmp/health; sleep 2; rm /tmp/health; exec sleep 600")
        let started = s.run(["run", "-d", "-f", s.write(yaml), "--backoff-initial", "1s"])
        #expect(started.status == 0, "\(started.err)")
        #expect(s.eventually(20) { s.restarts("unhealthy") >= 1 })
        #expect(s.restarts("healthy") == 0)
        let events = s.run(["get", "events", "--for", "pod/unhealthy"]).out
        #expect(events.contains("Liveness probe failed: cat: can't open '/tmp/health': No such file or directory"), "\(events)")
    }

    /// The kubelet's runtime.go table: a container that exits 1, then 0, then runs forever.
    @Test(arguments: [("Always", "Running", 2), ("OnFailure", "Succeeded", 1), ("Never", "Failed", 0)])
    func restartPolicyTable(policy: String, phase: String, restarts: Int) throws {
        let s = Session()
        let script = "if [ -f /data/ran1 ]; then if [ -f /data/ran2 ]; then exec sleep 600; fi; touch /data/ran2; exit 0; fi; touch /data/ran1; exit 1"
        let yaml = """
            apiVersion: v1
            kind: Pod
            metadata:
              name: policy-\(policy.lowercased())
            spec:
              restartPolicy: \(policy)
              volumes:
              - name: data
                emptyDir: {}
              containers:
              - name: c
                image: \(Self.busybox)
                command: ["sh", "-c", "\(script)"]
                volumeMounts:
                - name: data
                  mountPath: /data
            """
        #expect(s.run(["run", "-d", "-f", s.write(yaml), "--backoff-initial", "500ms"]).status == 0)
        let name = "policy-\(policy.lowercased())"
        #expect(s.eventually(20) { s.phase(name) == phase && s.restarts(name) == restarts },
                "\(s.phase(name) ?? "?") with \(s.restarts(name)) restarts")
        usleep(1_500_000)   // and it stays there
        #expect(s.phase(name) == phase)
        #expect(s.restarts(name) == restarts)
    }

    @Test func theSeedsBrokenYAMLIsRefusedWithTheFieldAtFault() {
        let s = Session()
        let r = s.run(["run", "-f", Self.repo + "/rootfs/demo/kubia-liveness-broken.yaml"])
        #expect(r.status != 0)
        #expect(r.err.contains(#"unknown field "spec.containers[0].httpGet""#), "\(r.err)")
        let none = s.run(["get", "pods"])
        #expect((none.out + none.err).contains("No resources found"))
    }

    @Test func aKilledSupervisorsPodsAreUnknownAndDeleteStillCleansUp() throws {
        let s = Session()
        let yaml = """
            apiVersion: v1
            kind: Pod
            metadata:
              name: orphan
            spec:
              containers:
              - name: c
                image: \(Self.busybox)
                command: ["sleep", "600"]
            """
        #expect(s.run(["run", "-d", "-f", s.write(yaml)]).status == 0)
        let record = try #require(FileManager.default.contents(atPath: s.dir + "/root/pods/orphan/pod.json"))
        let json = try #require(JSONSerialization.jsonObject(with: record) as? [String: Any])
        let supervisor = try #require((json["supervisorPID"] as? NSNumber)?.int32Value)
        kill(supervisor, SIGKILL)
        #expect(s.eventually(5) { kill(supervisor, 0) != 0 })
        #expect(s.eventually(5) { s.phase("orphan") == "Unknown" })
        #expect(s.run(["get", "pods"]).out.contains("Unknown"))
        #expect(s.run(["delete", "pod", "orphan"]).status == 0)
        #expect(!FileManager.default.fileExists(atPath: s.dir + "/root/pods/orphan"))
        let left = (try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)) ?? ""
        #expect(!left.contains("swiftlet-e2e"))
    }
}
