import Foundation
import Testing

/// End-to-end: init containers and native sidecars run by the real `swiftlet` binary on the
/// real kernel, observed through `get pods`, `-o json` and `get events`. Ports the cases of
/// test/e2e/common/node/init_container.go and the sidecar cases of
/// test/e2e_node/container_lifecycle_test.go, with short back-offs; each container appends to a
/// file on a hostPath volume, so the order in which they ran is read back from the host.
@Suite(.enabled(if: geteuid() == 0, "needs root: pods run real containers"), .serialized)
struct InitContainerE2ETests {
    static let busybox = E2ESession.busybox

    /// A directory of the session mounted at /data in every container, and its `order` file.
    struct Journal {
        let dir: String
        init(_ s: E2ESession) {
            dir = s.dir + "/journal-\(UUID().uuidString.prefix(6))"
            try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        }
        var lines: [String] {
            ((try? String(contentsOfFile: dir + "/order", encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
        }
        /// `a` was written before `b` (both present).
        func before(_ a: String, _ b: String) -> Bool {
            guard let i = lines.firstIndex(of: a), let j = lines.firstIndex(of: b) else { return false }
            return i < j
        }
    }

    /// A container that appends `word` to the journal, then runs `then`.
    static func container(_ name: String, _ word: String, then: String = "exit 0", extra: String = "") -> String {
        """
          - name: \(name)
            image: \(busybox)
            command: ["sh", "-c", "echo \(word) >> /data/order; \(then)"]
            volumeMounts: [{name: data, mountPath: /data}]
        \(extra)
        """
    }

    /// Runs until SIGTERM, then appends `word-stop` and exits 0.
    static func untilTerm(_ word: String) -> String {
        "trap 'echo \(word)-stop >> /data/order; exit 0' TERM; while true; do sleep 0.1; done"
    }

    static func pod(_ name: String, policy: String, inits: [String], apps: [String], journal: Journal, grace: Int = 5) -> String {
        """
        apiVersion: v1
        kind: Pod
        metadata:
          name: \(name)
        spec:
          restartPolicy: \(policy)
          terminationGracePeriodSeconds: \(grace)
          volumes:
          - name: data
            hostPath: {path: \(journal.dir)}
          initContainers:
        \(inits.joined(separator: "\n"))
          containers:
        \(apps.joined(separator: "\n"))
        """
    }

    static func initStatuses(_ s: E2ESession, _ name: String) -> [[String: Any]] {
        ((s.pod(name)?["status"] as? [String: Any])?["initContainerStatuses"] as? [[String: Any]]) ?? []
    }

    static func appStatuses(_ s: E2ESession, _ name: String) -> [[String: Any]] {
        ((s.pod(name)?["status"] as? [String: Any])?["containerStatuses"] as? [[String: Any]]) ?? []
    }

    static func terminated(_ status: [String: Any]) -> [String: Any]? {
        (status["state"] as? [String: Any])?["terminated"] as? [String: Any]
    }

    static func waitingReason(_ status: [String: Any]) -> String? {
        ((status["state"] as? [String: Any])?["waiting"] as? [String: Any])?["reason"] as? String
    }

    /// The READY, STATUS and RESTARTS cells of `get pods NAME`.
    static func columns(_ s: E2ESession, _ name: String) -> [String] {
        let lines = s.run(["get", "pods", name]).out.split(separator: "\n")
        guard lines.count > 1 else { return [] }
        return Array(lines[1].split(separator: " ", omittingEmptySubsequences: true).dropFirst().prefix(3).map(String.init))
    }

    // MARK: init_container.go

    /// "should invoke init containers on a RestartNever pod".
    @Test func initContainersRunInOrderOnARestartNeverPod() throws {
        let s = E2ESession()
        let j = Journal(s)
        let yaml = Self.pod("init-never", policy: "Never", inits: [Self.container("init1", "init1"), Self.container("init2", "init2")],
                            apps: [Self.container("run1", "run1")], journal: j)
        let started = s.run(["run", "-d", "-f", s.write(yaml)])
        #expect(started.status == 0, "\(started.err)")
        #expect(s.eventually(30) { s.phase("init-never") == "Succeeded" }, "phase \(s.phase("init-never") ?? "?")")
        #expect(j.lines == ["init1", "init2", "run1"])
        #expect(s.condition("init-never", "Initialized") == "True")
        let inits = Self.initStatuses(s, "init-never")
        #expect(inits.map { $0["name"] as? String } == ["init1", "init2"])
        for status in inits {
            #expect(Self.terminated(status)?["exitCode"] as? Int == 0)
            #expect(Self.terminated(status)?["reason"] as? String == "Completed")
        }
        #expect(Self.columns(s, "init-never") == ["0/1", "Completed", "0"])
        let events = s.events("init-never").map(\.reason)
        #expect(events.filter { $0 == "Started" }.count == 3, "\(events)")
        #expect(s.run(["logs", "init-never", "-c", "init2"]).status == 0)
    }

    /// "should invoke init containers on a RestartAlways pod".
    @Test func initContainersRunBeforeTheAppOnARestartAlwaysPod() throws {
        let s = E2ESession()
        let j = Journal(s)
        let yaml = Self.pod("init-always", policy: "Always", inits: [Self.container("init1", "init1"), Self.container("init2", "init2")],
                            apps: [Self.container("run1", "run1", then: "exec sleep 600")], journal: j, grace: 1)
        #expect(s.run(["run", "-d", "-f", s.write(yaml)]).status == 0)
        #expect(s.eventually(30) { s.phase("init-always") == "Running" })
        #expect(j.lines == ["init1", "init2", "run1"])
        #expect(s.condition("init-always", "Initialized") == "True")
        #expect(Self.initStatuses(s, "init-always").allSatisfy { Self.terminated($0)?["exitCode"] as? Int == 0 })
        #expect(Self.columns(s, "init-always") == ["1/1", "Running", "0"])
    }

    /// "should not start app containers if init containers fail on a RestartAlways pod".
    @Test func aFailingInitContainerIsRestartedAndTheAppNeverStarts() throws {
        let s = E2ESession()
        let j = Journal(s)
        let yaml = Self.pod("init-fails", policy: "Always",
                            inits: [Self.container("init1", "init1", then: "exit 1"), Self.container("init2", "init2")],
                            apps: [Self.container("run1", "run1", then: "exec sleep 600")], journal: j, grace: 1)
        #expect(s.run(["run", "-d", "-f", s.write(yaml), "--backoff-initial", "200ms", "--backoff-max", "1s"]).status == 0)
        #expect(s.eventually(30) { (Self.initStatuses(s, "init-fails").first?["restartCount"] as? Int ?? 0) >= 3 })
        #expect(Set(j.lines) == ["init1"], "only init1 ran: \(j.lines)")
        #expect(s.phase("init-fails") == "Pending")
        #expect(s.condition("init-fails", "Initialized") == "False")
        let inits = Self.initStatuses(s, "init-fails")
        #expect(inits.count == 2 && Self.waitingReason(inits[1]) == "PodInitializing")
        #expect(Self.appStatuses(s, "init-fails").first.flatMap(Self.waitingReason) == "PodInitializing")
        #expect(s.eventually(10) { ["Init:Error", "Init:CrashLoopBackOff"].contains(Self.columns(s, "init-fails").dropFirst().first ?? "") })
        #expect(s.eventually(10) { Self.columns(s, "init-fails").dropFirst().first == "Init:CrashLoopBackOff" })
        let backOff = s.messages("init-fails", reason: "BackOff")
        #expect(backOff.first?.hasPrefix("Back-off restarting failed container init1 in pod init-fails_default(") == true, "\(backOff)")
    }

    /// "should not start app containers and fail the pod if init containers fail on a RestartNever pod".
    @Test func aFailingInitContainerFailsARestartNeverPod() throws {
        let s = E2ESession()
        let j = Journal(s)
        let yaml = Self.pod("init-never-fails", policy: "Never",
                            inits: [Self.container("init1", "init1"), Self.container("init2", "init2", then: "exit 1")],
                            apps: [Self.container("run1", "run1", then: "exec sleep 600")], journal: j, grace: 1)
        #expect(s.run(["run", "-d", "-f", s.write(yaml)]).status == 0)
        #expect(s.eventually(30) { s.phase("init-never-fails") == "Failed" })
        usleep(1_000_000)
        #expect(j.lines == ["init1", "init2"], "the app never started: \(j.lines)")
        let inits = Self.initStatuses(s, "init-never-fails")
        #expect(inits.count == 2)
        if inits.count == 2 {
            #expect(Self.terminated(inits[1])?["exitCode"] as? Int == 1)
            #expect(Self.terminated(inits[1])?["reason"] as? String == "Error")
            #expect(inits[1]["restartCount"] as? Int == 0)
        }
        #expect(Self.appStatuses(s, "init-never-fails").first.flatMap(Self.waitingReason) == "PodInitializing")
        #expect(Self.columns(s, "init-never-fails") == ["0/1", "Init:Error", "0"])
    }

    // MARK: sidecars (container_lifecycle_test.go)

    /// Sidecars start in order, each before the next init container (after its startup probe
    /// passed); the app runs beside them; when it completes (Never), the sidecars are stopped in
    /// reverse order and the pod Succeeds.
    @Test func sidecarsStartInOrderAndStopAfterTheAppInReverse() throws {
        let s = E2ESession()
        let j = Journal(s)
        let probe = """
                startupProbe:
                  exec: {command: ["cat", "/tmp/ready"]}
                  periodSeconds: 1
                  failureThreshold: 30
                restartPolicy: Always
            """
        let yaml = Self.pod("sidecars", policy: "Never",
                            inits: [Self.container("sidecar1", "sidecar1",
                                                   then: "sleep 1; echo sidecar1-ready >> /data/order; touch /tmp/ready; " + Self.untilTerm("sidecar1"),
                                                   extra: probe),
                                    Self.container("init2", "init2"),
                                    Self.container("sidecar2", "sidecar2", then: Self.untilTerm("sidecar2"),
                                                   extra: "    restartPolicy: Always")],
                            apps: [Self.container("app", "app", then: "until [ -f /data/go ]; do sleep 0.1; done; exit 0")],
                            journal: j)
        #expect(s.run(["run", "-d", "-f", s.write(yaml)]).status == 0)
        #expect(s.eventually(20) { Self.columns(s, "sidecars") == ["3/3", "Running", "0"] }, "\(Self.columns(s, "sidecars"))")
        FileManager.default.createFile(atPath: j.dir + "/go", contents: nil)
        #expect(s.eventually(30) { s.phase("sidecars") == "Succeeded" }, "phase \(s.phase("sidecars") ?? "?")")
        #expect(j.lines == ["sidecar1", "sidecar1-ready", "init2", "sidecar2", "app", "sidecar2-stop", "sidecar1-stop"], "\(j.lines)")
        let inits = Self.initStatuses(s, "sidecars")
        #expect(inits.map { Self.terminated($0) != nil } == [true, true, true])
        #expect(Self.appStatuses(s, "sidecars").first.flatMap(Self.terminated)?["exitCode"] as? Int == 0)
    }

    /// A sidecar that exits is restarted, under any pod restartPolicy, while the app runs on.
    @Test func anExitedSidecarIsRestartedUnderNever() throws {
        let s = E2ESession()
        let j = Journal(s)
        let yaml = Self.pod("sidecar-restarts", policy: "Never",
                            inits: [Self.container("sidecar", "sidecar", then: "sleep 0.5; exit 1", extra: "    restartPolicy: Always")],
                            apps: [Self.container("app", "app", then: "exec sleep 600")], journal: j, grace: 1)
        #expect(s.run(["run", "-d", "-f", s.write(yaml), "--backoff-initial", "200ms", "--backoff-max", "400ms"]).status == 0)
        #expect(s.eventually(30) { (Self.initStatuses(s, "sidecar-restarts").first?["restartCount"] as? Int ?? 0) >= 2 })
        #expect(s.phase("sidecar-restarts") == "Running")
        #expect(Self.appStatuses(s, "sidecar-restarts").first?["restartCount"] as? Int == 0)
        #expect(j.lines.filter { $0 == "app" }.count == 1)
        #expect(j.lines.filter { $0 == "sidecar" }.count >= 3)
        // RESTARTS counts the sidecar's restarts once the pod is initialized.
        let restarts = Int(Self.columns(s, "sidecar-restarts").last ?? "") ?? 0
        #expect(restarts >= 2, "\(Self.columns(s, "sidecar-restarts"))")
    }

    /// `delete`: app containers first, then the sidecars in reverse order; nothing is left.
    @Test func deletionStopsTheAppThenTheSidecarsInReverseAndLeavesNoCgroup() throws {
        let s = E2ESession()
        let j = Journal(s)
        let yaml = Self.pod("sidecar-delete", policy: "Always",
                            inits: [Self.container("sidecar1", "sidecar1", then: Self.untilTerm("sidecar1"), extra: "    restartPolicy: Always"),
                                    Self.container("sidecar2", "sidecar2", then: Self.untilTerm("sidecar2"), extra: "    restartPolicy: Always")],
                            apps: [Self.container("app", "app", then: "trap 'sleep 0.5; echo app-stop >> /data/order; exit 0' TERM; while true; do sleep 0.1; done")],
                            journal: j)
        #expect(s.run(["run", "-d", "-f", s.write(yaml)]).status == 0)
        #expect(s.eventually(20) { Self.columns(s, "sidecar-delete").first == "3/3" }, "\(Self.columns(s, "sidecar-delete"))")
        let deleted = s.run(["delete", "pod", "sidecar-delete"])
        #expect(deleted.status == 0, "\(deleted.err)")
        #expect(Array(j.lines.suffix(3)) == ["app-stop", "sidecar2-stop", "sidecar1-stop"], "\(j.lines)")
        let left = ["/sys/fs/cgroup/unified/swiftlet", "/sys/fs/cgroup/memory/swiftlet", "/sys/fs/cgroup/swiftlet"].flatMap { dir in
            ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter { $0.hasPrefix("sidecar-delete-") }
        }
        #expect(left.isEmpty, "left behind: \(left)")
    }

    /// A sidecar is probed like an app container: its readiness counts in READY and in the
    /// pod's Ready condition; failing its liveness probe restarts it, with the kubelet's words.
    @Test func aSidecarsProbesCountTowardReadinessAndRestartIt() throws {
        let s = E2ESession()
        let j = Journal(s)
        let probes = """
                restartPolicy: Always
                readinessProbe:
                  exec: {command: ["cat", "/data/ready"]}
                  periodSeconds: 1
                livenessProbe:
                  exec: {command: ["sh", "-c", "test ! -f /data/kill"]}
                  periodSeconds: 1
                  failureThreshold: 1
            """
        let yaml = Self.pod("sidecar-probes", policy: "Never",
                            inits: [Self.container("probed", "probed", then: Self.untilTerm("probed"), extra: probes)],
                            apps: [Self.container("app", "app", then: "exec sleep 600")], journal: j, grace: 1)
        #expect(s.run(["run", "-d", "-f", s.write(yaml), "--backoff-initial", "200ms"]).status == 0)
        #expect(s.eventually(20) { Self.columns(s, "sidecar-probes") == ["1/2", "Running", "0"] }, "\(Self.columns(s, "sidecar-probes"))")
        #expect(s.condition("sidecar-probes", "Ready") == "False")
        FileManager.default.createFile(atPath: j.dir + "/ready", contents: nil)
        #expect(s.eventually(20) { Self.columns(s, "sidecar-probes") == ["2/2", "Running", "0"] }, "\(Self.columns(s, "sidecar-probes"))")
        #expect(s.condition("sidecar-probes", "Ready") == "True")
        FileManager.default.createFile(atPath: j.dir + "/kill", contents: nil)
        #expect(s.eventually(20) { (Self.initStatuses(s, "sidecar-probes").first?["restartCount"] as? Int ?? 0) >= 1 })
        unlink(j.dir + "/kill")
        #expect(s.messages("sidecar-probes", reason: "Killing").contains("Init container probed failed liveness probe"),
                "\(s.messages("sidecar-probes", reason: "Killing"))")
        #expect(s.eventually(20) { Self.columns(s, "sidecar-probes").first == "2/2" }, "\(Self.columns(s, "sidecar-probes"))")
        #expect(Self.appStatuses(s, "sidecar-probes").first?["restartCount"] as? Int == 0)
        #expect(s.phase("sidecar-probes") == "Running")
    }

    // MARK: The Kubernetes documentation's example

    /// "Init Containers" (concepts/workloads/pods/init-containers): myapp-pod waits for
    /// myservice, then mydb. Here the init containers wait for files instead of DNS names, and
    /// the STATUS column goes Init:0/2, Init:1/2, Running as the page shows.
    @Test func theDocumentationsMyappPod() throws {
        let s = E2ESession()
        let ready = s.dir + "/ready"
        try FileManager.default.createDirectory(atPath: ready, withIntermediateDirectories: true)
        let yaml = """
            apiVersion: v1
            kind: Pod
            metadata:
              name: myapp-pod
              labels:
                app.kubernetes.io/name: MyApp
            spec:
              terminationGracePeriodSeconds: 1
              volumes:
              - name: ready
                hostPath: {path: \(ready)}
              containers:
              - name: myapp-container
                image: busybox
                command: ['sh', '-c', 'echo The app is running! && sleep 3600']
              initContainers:
              - name: init-myservice
                image: busybox
                command: ['sh', '-c', "until [ -f /ready/myservice ]; do echo waiting for myservice; sleep 0.2; done"]
                volumeMounts: [{name: ready, mountPath: /ready}]
              - name: init-mydb
                image: busybox
                command: ['sh', '-c', "until [ -f /ready/mydb ]; do echo waiting for mydb; sleep 0.2; done"]
                volumeMounts: [{name: ready, mountPath: /ready}]
            """
        let started = s.run(["run", "-d", "-f", s.write(yaml), "--images", E2ESession.repo + "/rootfs"])
        #expect(started.status == 0, "\(started.err)")
        #expect(s.eventually(20) { Self.columns(s, "myapp-pod") == ["0/1", "Init:0/2", "0"] }, "\(Self.columns(s, "myapp-pod"))")
        #expect(s.eventually(10) { s.run(["logs", "myapp-pod", "-c", "init-myservice"]).out.contains("waiting for myservice") })
        let describe = s.run(["describe", "pod", "myapp-pod"]).out
        #expect(describe.contains("Init Containers:\n  init-myservice:\n"), "\(describe)")
        FileManager.default.createFile(atPath: ready + "/myservice", contents: nil)
        #expect(s.eventually(20) { Self.columns(s, "myapp-pod") == ["0/1", "Init:1/2", "0"] }, "\(Self.columns(s, "myapp-pod"))")
        FileManager.default.createFile(atPath: ready + "/mydb", contents: nil)
        #expect(s.eventually(20) { Self.columns(s, "myapp-pod") == ["1/1", "Running", "0"] }, "\(Self.columns(s, "myapp-pod"))")
        #expect(s.run(["logs", "myapp-pod"]).out.contains("The app is running!"))
    }

    /// With its keeper and daemon gone, `delete` still finds a pod's init containers and
    /// sidecars through the record's cgroups: nothing of them is left.
    @Test func deleteWithoutADaemonRemovesInitContainersAndSidecars() throws {
        let s = E2ESession()
        let j = Journal(s)
        let yaml = Self.pod("init-orphan", policy: "Always",
                            inits: [Self.container("sidecar", "sidecar", then: "exec sleep 600", extra: "    restartPolicy: Always"),
                                    Self.container("wait", "wait", then: "exec sleep 600")],
                            apps: [Self.container("app", "app")], journal: j, grace: 1)
        #expect(s.run(["run", "-d", "-f", s.write(yaml)]).status == 0)
        #expect(s.eventually(20) { j.lines == ["sidecar", "wait"] }, "\(j.lines)")
        let record = try #require(FileManager.default.contents(atPath: s.root + "/pods/init-orphan/pod.json"))
        let json = try #require(JSONSerialization.jsonObject(with: record) as? [String: Any])
        let keeper = try #require((json["supervisorPID"] as? NSNumber)?.int32Value)
        kill(keeper, SIGKILL)
        #expect(s.eventually(5) { s.phase("init-orphan") == "Unknown" })
        #expect(s.run(["delete", "pod", "init-orphan"]).status == 0)
        let left = ["/sys/fs/cgroup/unified/swiftlet", "/sys/fs/cgroup/memory/swiftlet", "/sys/fs/cgroup/swiftlet"].flatMap { dir in
            ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter { $0.hasPrefix("init-orphan-") }
        }
        #expect(left.isEmpty, "left behind: \(left)")
        #expect(!FileManager.default.fileExists(atPath: s.root + "/pods/init-orphan"))
    }

    // MARK: Adoption

    /// The daemon killed (SIGKILL) while a regular init container waits behind a started
    /// sidecar: the next daemon follows the same init container (it is not run again) and the
    /// same sidecar (not restarted), and starts the app once the init container completes.
    @Test func aDaemonKilledDuringInitializationTakesItOver() throws {
        let s = E2ESession()
        let j = Journal(s)
        let yaml = Self.pod("init-adopt", policy: "Always",
                            inits: [Self.container("sidecar", "sidecar", then: Self.untilTerm("sidecar"), extra: "    restartPolicy: Always"),
                                    Self.container("wait", "wait", then: "until [ -f /data/go ]; do sleep 0.1; done")],
                            apps: [Self.container("app", "app", then: "exec sleep 600")], journal: j, grace: 1)
        #expect(s.run(["run", "-d", "-f", s.write(yaml)]).status == 0)
        // Killed once `wait` runs and its record says so: a daemon killed while it was still
        // cloning `wait` would rightly clone it again.
        #expect(s.eventually(20) {
            Self.columns(s, "init-adopt") == ["1/2", "Init:1/2", "0"] && j.lines == ["sidecar", "wait"]
                && (Self.initStatuses(s, "init-adopt").last?["state"] as? [String: Any])?["running"] != nil
        }, "\(Self.columns(s, "init-adopt")) \(j.lines)")
        s.killDaemon()
        s.startDaemon()
        #expect(Self.columns(s, "init-adopt") == ["1/2", "Init:1/2", "0"])
        FileManager.default.createFile(atPath: j.dir + "/go", contents: nil)
        #expect(s.eventually(20) { Self.columns(s, "init-adopt") == ["2/2", "Running", "0"] }, "\(Self.columns(s, "init-adopt"))")
        #expect(j.lines == ["sidecar", "wait", "app"], "nothing ran twice: \(j.lines)")
        #expect(Self.initStatuses(s, "init-adopt").map { $0["restartCount"] as? Int } == [0, 0])
        #expect(s.run(["delete", "pod", "init-adopt"]).status == 0)
        #expect(Array(j.lines.suffix(1)) == ["sidecar-stop"])
    }
}
