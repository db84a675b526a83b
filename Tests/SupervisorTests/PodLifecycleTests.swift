import Foundation
import Testing

/// End-to-end: real pods started by the `swiftlet` binary, observed the way a user would (get
/// pods -o json, get events), with short periods and back-offs.
@Suite(.enabled(if: geteuid() == 0, "needs root: pods run real containers"), .serialized)
struct PodLifecycleTests {
    static let repo = E2ESession.repo
    static let busybox = E2ESession.busybox
    static let kubia = E2ESession.kubia

    @Test func theSeedsPodIsRestartedWhenItsLivenessProbeFails() throws {
        let s = E2ESession()
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
        let s = E2ESession()
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
        let s = E2ESession()
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
        let s = E2ESession()
        let r = s.run(["run", "-f", Self.repo + "/rootfs/demo/kubia-liveness-broken.yaml"])
        #expect(r.status != 0)
        #expect(r.err.contains(#"unknown field "spec.containers[0].httpGet""#), "\(r.err)")
        let none = s.run(["get", "pods"])
        #expect((none.out + none.err).contains("No resources found"))
    }

    /// A relative image is looked for next to the YAML file, then under each --images; a file
    /// with an image found nowhere starts nothing, and says which field names it.
    @Test func imagesAreFoundUnderImagesDirectoriesAndAMissingOneStartsNothing() {
        let s = E2ESession()
        let file = s.write("""
            apiVersion: v1
            kind: Pod
            metadata:
              name: fine
            spec:
              containers:
              - name: c
                image: \(Self.repo)/rootfs/busybox
                command: ["sleep", "600"]
            ---
            apiVersion: v1
            kind: Pod
            metadata:
              name: elsewhere
            spec:
              containers:
              - name: c
                image: busybox
                command: ["sleep", "600"]
            """)
        for detach in [true, false] {
            let missing = s.run(["run"] + (detach ? ["-d"] : []) + ["-f", file])
            #expect(missing.status == 1)
            #expect(missing.err.contains(#"pod "elsewhere": spec.containers[0].image: image "\#(s.dir)/busybox": no such directory"#), "\(missing.err)")
            #expect(!missing.err.contains("Usage:"), "\(missing.err)")
            let none = s.run(["get", "pods"])
            #expect((none.out + none.err).contains("No resources found"), "\(none.out)")
        }
        let found = s.run(["run", "-d", "-f", file, "--images", Self.repo + "/rootfs"])
        #expect(found.status == 0, "\(found.err)")
        #expect(s.eventually(30) { s.phase("fine") == "Running" && s.phase("elsewhere") == "Running" })
    }

    /// Pods deleted while their containers restart every second: a container caught between
    /// its clone and joining the pod was once left running (killed only when the supervisor
    /// exited, its cgroup left behind). Nothing of any instance may outlive its pod.
    @Test func podsDeletedWhileTheirContainersRestartLeaveNoCgroupBehind() {
        let s = E2ESession()
        let prefix = "churn-\(UUID().uuidString.prefix(6).lowercased())"
        let pods = (0..<100).map { i in
            """
            apiVersion: v1
            kind: Pod
            metadata:
              name: \(prefix)-\(i)
            spec:
              terminationGracePeriodSeconds: 1
              containers:
              - name: c
                image: \(Self.busybox)
                command: ["sh", "-c", "trap 'exit 0' TERM; sleep 600 & wait"]
                livenessProbe:
                  exec:
                    command: ["false"]
                  periodSeconds: 1
                  failureThreshold: 1
            """
        }
        let started = s.run(["run", "-d", "-f", s.write(pods.joined(separator: "\n---\n")),
                             "--backoff-initial", "1ms", "--backoff-max", "1ms"])
        #expect(started.status == 0, "\(started.err)")
        #expect(s.eventually(60) { s.restarts("\(prefix)-99") >= 2 }, "the containers should be restarting")
        let deleted = s.run(["delete", "pods", "--all", "--grace-period", "1"])
        #expect(deleted.status == 0, "\(deleted.err)")
        let left = ["/sys/fs/cgroup/unified/swiftlet", "/sys/fs/cgroup/swiftlet"].flatMap { dir in
            ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter { $0.hasPrefix(prefix) }.map { dir + "/" + $0 }
        }
        #expect(left.isEmpty, "left behind: \(left.prefix(5))")
        for dir in left { rmdir(dir) }
    }

    @Test func aKilledSupervisorsPodsAreUnknownAndDeleteStillCleansUp() throws {
        let s = E2ESession()
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
        // Nothing of the session's root (overlays, the pinned network namespace) is mounted; the
        // session's own namespace (/run/netns/swiftlet-e2e-...) is there until the session ends.
        #expect(!left.contains(s.dir))
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: s.root + "/networks")) ?? []).isEmpty)
    }
}
