import Foundation
import Testing

/// The fault battery of the node daemon (keeping-workloads.md §12): the daemon killed with
/// SIGKILL, stopped, upgraded, killed mid-start and mid-delete, and the keeper killed, with real
/// pods started by the `swiftlet` binary. What must hold: nothing restarts that should not, exits
/// while no daemon runs are exact and handled once, logs keep flowing, and nothing is left over.
/// Each test ends with `SessionTrace.expectCleanEnd`: pods deleted, daemon stopped, the keeper
/// gone by itself, no process, cgroup, mount or network attachment of the session left.
@Suite(.enabled(if: geteuid() == 0, "needs root: pods run real containers"), .serialized)
struct DaemonE2ETests {
    // MARK: F1

    /// F1 (kubernetes' "should recover from ip leak": the runtime killed 6 times, no container
    /// may terminate): 20 probed httpd pods, the daemon killed with SIGKILL and started again six
    /// times. Every container keeps its pid, start time and startedAt, restartCount stays 0, every
    /// pod stays Ready (KEP-4781), no probe fails; the keeper leaks no descriptor and no zombie.
    @Test func sixDaemonKillsRestartNothing() {
        let s = E2ESession()
        let prefix = s.podPrefix("six")
        let trace = SessionTrace(s, prefix: prefix)
        let www = s.webRoot(files: ["healthz": "ok\n"])
        let names = (0..<20).map { "\(prefix)-\($0)" }
        guard s.runDetached(NetworkPods.file(names.map { DaemonPods.web($0, www: www) })) else { return trace.expectCleanEnd() }
        let allReady = s.eventually(60) {
            let pods = s.allPods()
            return names.allSatisfy { Self.runningAndReady(pods[$0]) }
        }
        #expect(allReady, "20 pods Running and Ready")
        guard allReady else { return trace.expectCleanEnd() }
        trace.note()
        let before = Dictionary(uniqueKeysWithValues: names.map { ($0, s.snapshot($0)) })
        #expect(before.values.allSatisfy { $0?.pid != nil && $0?.restartCount == 0 }, "\(before)")
        let eventsBefore = s.killingOrUnhealthy()
        var keeperFDs = 0
        for round in 1...6 {
            trace.note(s.killDaemon())
            trace.note(s.startDaemon())
            let pods = s.allPods()
            let notReady = names.filter { !Self.runningAndReady(pods[$0]) }
            #expect(notReady.isEmpty, "round \(round): not Running and Ready at once: \(notReady)")
            let changed = names.filter { s.snapshot($0) != before[$0] }
            #expect(changed.isEmpty, "round \(round): changed: \(changed.map { "\($0): \(s.snapshot($0).map(\.description) ?? "-") was \(before[$0]??.description ?? "-")" })")
            let dead = names.filter { s.containerProcess($0)?.isAlive != true }
            #expect(dead.isEmpty, "round \(round): containers not running: \(dead)")
            if round == 1, let keeper = s.keeperPID { keeperFDs = Proc.fdCount(keeper) }
        }
        // A probe period later the probes run again, all passing.
        usleep(1_500_000)
        let pods = s.allPods()
        #expect(names.allSatisfy { Self.runningAndReady(pods[$0]) && Self.restartCount(pods[$0]) == 0 })
        #expect(s.killingOrUnhealthy() == eventsBefore, "no probe failed, nothing was killed: \(s.killingOrUnhealthy())")
        if let keeper = s.keeperPID {
            #expect(Proc.fdCount(keeper) <= keeperFDs, "the keeper's fds: \(Proc.fdCount(keeper)) after six kills, \(keeperFDs) after the first")
        }
        #expect(s.keeperZombies().isEmpty, "zombie children of the keeper: \(s.keeperZombies())")
        // 20 sandboxes, 20 containers, the daemon.
        #expect(s.keeperChildren().count == 41, "keeper children: \(s.keeperChildren().count)")
        let cgroups = s.cgroupsPerPod(names)
        #expect(cgroups.values.allSatisfy { $0 == 1 }, "one cgroup per container: \(cgroups.filter { $0.value != 1 })")
        let second = s.run(["daemon", "-d"])
        #expect(second.status != 0 && second.err.contains("already runs"), "a second daemon is refused: \(second.err)")
        trace.expectCleanEnd()
    }

    // MARK: F2

    /// F2: containers end while no daemon runs, each its own way; the next daemon reports each
    /// exactly as the keeper reaped it. A container's init is pid 1 of its pid namespace, which
    /// ignores `kill -KILL $$` and `kill -SEGV $$` from inside (the shell would just exit 0), so
    /// SIGKILL comes from RLIMIT_CPU (the kernel's SIGKILL at the hard limit) and SIGSEGV from a
    /// real stack overflow (awk recursing). An Always pod that exits while down is restarted once.
    @Test func exitsWhileNoDaemonRunsAreExact() {
        let s = E2ESession()
        let prefix = s.podPrefix("exit")
        let trace = SessionTrace(s, prefix: prefix)
        struct Case {
            let name: String, script: String, code: Int, signal: Int?, reasons: Set<String>, phase: String
            var container = ""
        }
        let cases = [
            Case(name: "\(prefix)-zero", script: "sleep 3; exit 0", code: 0, signal: nil, reasons: ["Completed"], phase: "Succeeded"),
            Case(name: "\(prefix)-three", script: "sleep 3; exit 3", code: 3, signal: nil, reasons: ["Error"], phase: "Failed"),
            Case(name: "\(prefix)-exit137", script: "sleep 3; exit 137", code: 137, signal: nil, reasons: ["Error"], phase: "Failed"),
            Case(name: "\(prefix)-sigkill", script: "sleep 3; ulimit -t 1; exec awk 'BEGIN { while (1) {} }'",
                 code: 137, signal: 9, reasons: ["Error"], phase: "Failed"),
            Case(name: "\(prefix)-sigsegv", script: "sleep 3; exec awk 'function f(n) { return f(n + 1) + 1 } BEGIN { f(0) }'",
                 code: 139, signal: 11, reasons: ["Error"], phase: "Failed"),
            Case(name: "\(prefix)-oom", script: "sleep 3; exec tail /dev/zero", code: 137, signal: 9, reasons: ["OOMKilled"],
                 phase: "Failed", container: "resources:\n  limits: {memory: 20Mi}"),
        ]
        let always = "\(prefix)-always"
        let yaml = cases.map { DaemonPods.script($0.name, $0.script, restartPolicy: "Never", container: $0.container) }
            + [DaemonPods.script(always, "sleep 2; exit 3")]
        guard s.runDetached(NetworkPods.file(yaml), backoff: "60s") else { return trace.expectCleanEnd() }
        trace.note()
        let daemon = s.killDaemon()
        #expect(daemon != nil)
        // Every container exits while no daemon runs: the keeper keeps each exit until acked.
        let exited = s.eventually(20) { s.entries("exits").count == cases.count + 1 }
        #expect(exited, "exit records: \(s.entries("exits"))\n\(s.keeperLogTail())")
        #expect(s.daemonPID == nil, "no daemon ran meanwhile")
        var finished: [String: Date] = [:]
        for id in s.entries("exits") {
            let fields = ((try? String(contentsOfFile: s.root + "/exits/" + id, encoding: .utf8)) ?? "").split(separator: " ")
            if fields.count >= 2, let ns = Double(fields[1]) { finished[id] = Date(timeIntervalSince1970: ns / 1e9) }
        }
        trace.note(s.startDaemon())
        for c in cases {
            let terminal = s.eventually(10) { ["Succeeded", "Failed"].contains(s.phase(c.name) ?? "") }
            #expect(terminal, "\(c.name) ends")
            let status = s.containerStatus(c.name)
            let terminated = (status?["state"] as? [String: Any])?["terminated"] as? [String: Any]
            #expect(terminated?["exitCode"] as? Int == c.code, "\(c.name): \(terminated ?? [:])")
            #expect(terminated?["signal"] as? Int == c.signal, "\(c.name): signal in \(terminated ?? [:])")
            #expect(c.reasons.contains(terminated?["reason"] as? String ?? ""), "\(c.name): reason in \(terminated ?? [:])")
            #expect(s.phase(c.name) == c.phase, "\(c.name): phase \(s.phase(c.name) ?? "-")")
            #expect(status?["restartCount"] as? Int == 0, "\(c.name): never restarted")
            // finishedAt (seconds) is the keeper's exit time, not the adoption's.
            let id = finished.keys.first { $0.hasPrefix(c.name + "-c-0-") }
            if let id, let at = finished[id], let text = terminated?["finishedAt"] as? String,
               let reported = ISO8601DateFormatter().date(from: text) {
                #expect(abs(reported.timeIntervalSince(at)) < 1.01, "\(c.name): finishedAt \(text), exited at \(at)")
            } else {
                Issue.record("\(c.name): no finishedAt to compare (\(terminated ?? [:]), exit record \(id ?? "-"))")
            }
        }
        // The Always pod: its exit while down counts once (restartCount 1), then the 60 s back-off.
        #expect(s.eventually(10) { s.restarts(always) == 1 }, "restarted once: \(s.restarts(always))")
        let last = ((s.containerStatus(always)?["lastState"] as? [String: Any])?["terminated"] as? [String: Any])
        #expect(last?["exitCode"] as? Int == 3, "lastState: \(last ?? [:])")
        #expect(last?["reason"] as? String == "Error", "lastState: \(last ?? [:])")
        #expect(s.throughout(3.5) { s.restarts(always) == 1 }, "restarted only once: \(s.restarts(always))")
        // Every exit record was taken and acknowledged.
        #expect(s.eventually(5) { s.entries("exits").isEmpty }, "exit records left: \(s.entries("exits"))")
        trace.expectCleanEnd()
    }

    // MARK: F3

    /// F3 (containerd#9342: with containerd down the log pipe fills and the app blocks): a
    /// container writes 10 MB (200000 numbered lines and a marker) while no daemon runs. The
    /// keeper drains it: the marker is in the log before any daemon is back, and `logs` has every
    /// line once, in order.
    @Test func tenMegabytesOfLogsWhileNoDaemonRuns() {
        let s = E2ESession()
        let prefix = s.podPrefix("logs")
        let trace = SessionTrace(s, prefix: prefix)
        let pod = "\(prefix)-writer"
        let lines = 200_000
        let filler = "abcdefghijklmnopqrstuvwxyz0123456789ABCD"   // 9 + 40 + 1 = 50 bytes a line
        let writer = #"sleep 2; awk 'BEGIN { for (i = 1; i <= \#(lines); i++) printf "%08d \#(filler)\n", i; print "MARKER-END" }'; "#
            + NetworkPods.onTerm("sleep 600")
        guard s.runDetached(DaemonPods.script(pod, writer)) else { return trace.expectCleanEnd() }
        trace.note()
        #expect(s.killDaemon() != nil)
        let started = Date()
        let logDir = s.root + "/pods/\(pod)/logs/c"
        let written = s.eventuallyFast(30) { Self.tail(of: logDir + "/0.log").contains("MARKER-END") }
        #expect(written, "the marker is written while no daemon runs (after \(Date().timeIntervalSince(started)) s); \(s.keeperLogTail())")
        #expect(s.daemonPID == nil)
        trace.note(s.startDaemon())
        let logs = s.run(["logs", pod], timeout: 60)
        #expect(logs.status == 0, "\(logs.err)")
        let got = logs.out.split(separator: "\n", omittingEmptySubsequences: false)
        var bad: [String] = []
        for i in 1...lines where bad.count < 5 {
            let expected = String(format: "%08d ", i) + filler
            if i - 1 >= got.count || got[i - 1] != expected {
                bad.append("line \(i): \(i - 1 < got.count ? String(got[i - 1].prefix(80)) : "missing")")
            }
        }
        #expect(bad.isEmpty, "every line once, in order (\(got.count) lines): \(bad)")
        #expect(got.count > lines && got[lines] == "MARKER-END", "the marker last: \(got.count > lines ? String(got[lines].prefix(80)) : "missing")")
        #expect(got.count == lines + 2 && got[lines + 1].isEmpty, "nothing after the marker (\(got.count) pieces)")
        #expect(s.restarts(pod) == 0)
        trace.expectCleanEnd()
    }

    // MARK: F5, F4

    /// F5: a liveness probe that starts failing while no daemon runs is acted on by the next
    /// daemon within failureThreshold × period; nothing restarts while no daemon runs.
    @Test func livenessFailingWhileDownIsActedOnAtStart() {
        let s = E2ESession()
        let prefix = s.podPrefix("live")
        let trace = SessionTrace(s, prefix: prefix)
        let pod = "\(prefix)-web"
        let www = s.webRoot(files: ["healthz": "ok\n"])
        guard s.runDetached(DaemonPods.web(pod, www: www, livenessFailures: 2)) else { return trace.expectCleanEnd() }
        #expect(s.eventually(20) { Self.runningAndReady(s.pod(pod)) })
        trace.note()
        let container = s.containerProcess(pod)
        #expect(s.stopDaemon() != nil)
        unlink(www + "/healthz")
        usleep(3_000_000)
        #expect(s.restarts(pod) == 0, "nothing restarts while no daemon runs")
        #expect(container?.isAlive == true && s.containerProcess(pod) == container, "the same container runs")
        trace.note(s.startDaemon())
        let started = Date()
        #expect(s.eventually(8) { s.restarts(pod) >= 1 }, "restarted by the new daemon")
        #expect(Date().timeIntervalSince(started) < 5, "within a few seconds: \(Date().timeIntervalSince(started)) s")
        #expect(s.messages(pod, reason: "Killing").contains("Container c failed liveness probe, will be restarted"))
        #expect(container?.isAlive == false, "the old container is gone")
        trace.expectCleanEnd()
    }

    /// F4: the crash-loop back-off outlives the daemon (the kubelet keeps it in memory only and
    /// would restart at once): after restarts at 0, 2 s and 4 s, the next waits 8 s, killed
    /// daemon or not.
    @Test func backOffContinuesAcrossADaemonKill() {
        let s = E2ESession()
        let prefix = s.podPrefix("back")
        let trace = SessionTrace(s, prefix: prefix)
        let pod = "\(prefix)-crash"
        guard s.runDetached(DaemonPods.script(pod, "exit 1"), backoff: "2s") else { return trace.expectCleanEnd() }
        var samples: [Int] = []
        #expect(s.eventually(30) {
            samples.append(s.restarts(pod))
            return samples.last ?? 0 >= 3
        }, "crash-looping: \(samples)")
        trace.note()
        trace.note(s.killDaemon())
        trace.note(s.startDaemon())
        let count = s.restarts(pod)
        #expect(count >= 3, "\(count)")
        #expect(s.throughout(5) {
            samples.append(s.restarts(pod))
            return samples.last == count
        }, "no fresh back-off: no restart for 5 s: \(samples.suffix(25))")
        #expect(s.eventually(10) {
            samples.append(s.restarts(pod))
            return samples.last ?? 0 > count
        }, "restarted when the 8 s back-off ends: \(samples.suffix(25))")
        let seen = samples.filter { $0 >= 0 }
        #expect(seen == seen.sorted(), "restartCount only grows: \(samples)")
        trace.expectCleanEnd()
    }

    // MARK: F8

    /// F8 (TestContainerdRestartSandboxRecover): the daemon killed while `run` starts 5 pods and
    /// again while `delete` removes them. The next daemon completes the start (one cgroup per
    /// container, the keeper holding exactly the pods' sandboxes and containers) and the deletion
    /// (no pod, cgroup, pinned namespace or attachment left).
    ///
    /// `delay` 0.3: killed 0.3 s after `run` started the daemon, and 0.3 s after `delete` began.
    /// `delay` 0: killed as soon as the first pod has a directory (its sandbox and container
    /// being made), four times over with 0, 5, 10 and 20 ms more (each round 5 new pods), then
    /// 50 ms after `delete` began.
    @Test(arguments: [0.0, 0.3])
    func daemonKilledMidStartAndMidDelete(delay: Double) {
        let s = E2ESession()
        let prefix = s.podPrefix("mid")
        let trace = SessionTrace(s, prefix: prefix)
        var names: [String] = []
        let offsets: [Double] = delay > 0 ? [delay] : [0, 0.005, 0.01, 0.02]
        for (round, offset) in offsets.enumerated() {
            let batch = (0..<5).map { "\(prefix)-\(round)-\($0)" }
            names += batch
            guard let run = s.spawn(["run", "-d", "-f", s.write(NetworkPods.file(batch.map { DaemonPods.sleeper($0) }))]) else {
                Issue.record("cannot spawn run")
                return trace.expectCleanEnd()
            }
            if delay > 0 {
                #expect(s.eventuallyFast(30) { s.daemonPID != nil }, "a daemon starts")
            } else {
                #expect(s.eventuallyFast(30) { batch.contains { s.entries("pods").contains($0) } }, "pods are being created")
            }
            usleep(useconds_t(offset * 1e6))
            let podsAtKill = s.entries("pods").filter(batch.contains)
            let childrenAtKill = s.keeperChildren().count
            trace.note()
            trace.note(s.killDaemon())
            let ran = s.wait(run, timeout: 60)
            trace.note(s.startDaemon())
            // `run` got no answer: what the killed daemon had taken is completed; the rest is run
            // again (as a user would, seeing `run` fail).
            let missing = batch.filter { !s.entries("pods").contains($0) }
            if !missing.isEmpty {
                let again = s.run(["run", "-d", "-f", s.write(NetworkPods.file(missing.map { DaemonPods.sleeper($0) }))])
                #expect(again.status == 0, "run again: \(again.err)")
            }
            let running = s.eventually(30) {
                let pods = s.allPods()
                return names.allSatisfy { (pods[$0]?["status"] as? [String: Any])?["phase"] as? String == "Running" }
            }
            let trigger = delay > 0 ? "the daemon started" : "the first pod directory"
            let what = "round \(round), killed \(offset) s after \(trigger), with \(podsAtKill.count) pod directories and \(childrenAtKill) keeper children"
            #expect(running, "\(what): all Running (run said \(ran.status): \(ran.err))\n\(s.daemonLogTail())")
            trace.note()
            let cgroups = s.cgroupsPerPod(names)
            #expect(cgroups.values.allSatisfy { $0 == 1 }, "\(what): one cgroup per container: \(cgroups.filter { $0.value != 1 })")
            // A sandbox and a container per pod, and the daemon: nothing the killed daemon started is left.
            let expected = Set(names.compactMap { s.sandboxProcess($0) } + names.compactMap { s.containerProcess($0) }
                               + [s.daemonPID.flatMap { ProcessID(pid: $0) }].compactMap { $0 })
            #expect(expected.count == 2 * names.count + 1, "\(what): \(expected)")
            let held = s.eventuallyFast(5) { Set(s.keeperChildren()) == expected }
            let others = Set(s.keeperChildren()).subtracting(expected).map { "\($0.pid): \(Proc.cmdline($0.pid))" }
            #expect(held, """
                \(what): the keeper's children are the pods' sandboxes and containers and the daemon; others: \(others)
                \(s.daemonLogTail())
                """)
        }

        guard let delete = s.spawn(["delete", "pods", "--all", "--grace-period", "1"]) else {
            Issue.record("cannot spawn delete")
            return trace.expectCleanEnd()
        }
        usleep(useconds_t(max(delay, 0.05) * 1e6))
        let podsAtKill = s.entries("pods")
        trace.note(s.killDaemon())
        trace.note(s.startDaemon())
        let deleted = s.wait(delete, timeout: 90)
        #expect(deleted.status == 0, "delete finishes (\(podsAtKill.count) pods when killed): \(deleted.err)\n\(s.daemonLogTail())")
        #expect(s.eventually(5) { s.entries("pods").isEmpty }, "no pod left: \(s.entries("pods"))")
        #expect(s.eventually(5) { E2ESession.cgroupDirs(prefix: prefix).isEmpty }, "cgroups: \(E2ESession.cgroupDirs(prefix: prefix))")
        #expect(s.entries("netns").isEmpty, "pinned: \(s.entries("netns"))")
        #expect(s.entries("networks").filter { $0.hasSuffix(".json") }.isEmpty, "attachments: \(s.entries("networks"))")
        let daemon = s.daemonPID
        #expect(s.eventuallyFast(5) { s.keeperChildren().map(\.pid) == [daemon].compactMap { $0 } },
                "the keeper's only child is the daemon: \(s.keeperChildren().map { "\($0.pid): \(Proc.cmdline($0.pid))" })")
        trace.expectCleanEnd()
    }

    /// F8/F11: `delete` while no daemon serves removes the pods itself, one after another; a
    /// daemon started meanwhile takes over those not removed yet. Together they must remove every
    /// pod and leave nothing behind: no sandbox made again for a pod `delete` removed.
    @Test func deleteWhileADaemonStarts() {
        let s = E2ESession()
        let prefix = s.podPrefix("race")
        let trace = SessionTrace(s, prefix: prefix)
        let names = (0..<10).map { "\(prefix)-\($0)" }
        guard s.runDetached(NetworkPods.file(names.map { DaemonPods.sleeper($0) })) else { return trace.expectCleanEnd() }
        trace.note()
        trace.note(s.killDaemon())
        guard let delete = s.spawn(["delete", "pods", "--all", "--grace-period", "1"]) else {
            Issue.record("cannot spawn delete")
            return trace.expectCleanEnd()
        }
        trace.note(s.startDaemon())
        let podsWhenServing = s.entries("pods")
        let deleted = s.wait(delete, timeout: 90)
        #expect(deleted.status == 0, "delete finishes: \(deleted.err)\n\(s.daemonLogTail())")
        #expect(s.eventually(5) { s.entries("pods").isEmpty }, "no pod left: \(s.entries("pods"))")
        let daemon = s.daemonPID
        let onlyDaemon = s.eventuallyFast(5) { s.keeperChildren().map(\.pid) == [daemon].compactMap { $0 } }
        #expect(onlyDaemon, """
            the keeper's only child is the daemon (\(podsWhenServing.count) pods left when it served): \
            \(s.keeperChildren().map { "\($0.pid): \(Proc.cmdline($0.pid))" })
            \(s.daemonLogTail())
            \(s.keeperLogTail())
            """)
        trace.expectCleanEnd()
    }

    // MARK: F11

    /// `delete` while no daemon runs: done by the command itself through the cgroups; the keeper
    /// forgets the pod and, holding nothing, exits.
    @Test func deleteWhileNoDaemonRuns() {
        let s = E2ESession()
        let prefix = s.podPrefix("nodm")
        let trace = SessionTrace(s, prefix: prefix)
        let pod = "\(prefix)-sleeper"
        guard s.runDetached(DaemonPods.sleeper(pod)) else { return trace.expectCleanEnd() }
        trace.note()
        let container = s.containerProcess(pod)
        let sandbox = s.sandboxProcess(pod)
        #expect(s.stopDaemon() != nil)
        #expect(container?.isAlive == true, "the container outlives the daemon")
        let deleted = s.run(["delete", "pod", pod, "--grace-period", "1"])
        #expect(deleted.status == 0, "\(deleted.err)")
        #expect(container?.isAlive == false && sandbox?.isAlive == false, "container and sandbox gone")
        #expect(E2ESession.cgroupDirs(prefix: prefix).isEmpty, "\(E2ESession.cgroupDirs(prefix: prefix))")
        if let keeper = s.keeperPID.flatMap({ ProcessID(pid: $0) }) {
            #expect(s.eventuallyFast(5) { !keeper.isAlive }, "the keeper exits: it holds nothing\n\(s.keeperLogTail())")
        }
        trace.expectCleanEnd()
    }

    // MARK: F7

    /// F7 (podman#22641, conmon's made-up exit 0): the keeper killed with SIGKILL. The daemon
    /// exits; the next one (with a new keeper) kills the containers nobody holds and reports them
    /// ContainerStatusUnknown with 137, never a success: the Always pod restarts, the Never pod
    /// fails; nothing is stuck terminating.
    @Test func keeperKilledLeavesNoMadeUpSuccess() {
        let s = E2ESession()
        let prefix = s.podPrefix("kpr")
        let trace = SessionTrace(s, prefix: prefix)
        let always = "\(prefix)-always", never = "\(prefix)-never"
        guard s.runDetached(NetworkPods.file([DaemonPods.sleeper(always), DaemonPods.sleeper(never, restartPolicy: "Never")])) else { return trace.expectCleanEnd() }
        trace.note()
        let old = [always, never].compactMap { s.containerProcess($0) }
        #expect(old.count == 2)
        guard let keeperPID = s.keeperPID, let keeper = ProcessID(pid: keeperPID), let daemon = s.daemonPID.flatMap({ ProcessID(pid: $0) }) else {
            Issue.record("no keeper or daemon")
            return trace.expectCleanEnd()
        }
        kill(keeperPID, SIGKILL)
        #expect(s.eventuallyFast(5) { !keeper.isAlive })
        #expect(s.eventuallyFast(10) { !daemon.isAlive }, "the daemon exits without its keeper")
        let listed = s.run(["get", "pods"])
        #expect(listed.out.contains(always) && listed.out.contains(never), "\(listed.out)\(listed.err)")
        trace.note(s.startDaemon())
        #expect(s.keeperPID != keeperPID, "a new keeper")
        #expect(s.eventually(15) { s.restarts(always) == 1 }, "the Always pod's container restarted: \(s.restarts(always))")
        let last = (s.containerStatus(always)?["lastState"] as? [String: Any])?["terminated"] as? [String: Any]
        #expect(last?["reason"] as? String == "ContainerStatusUnknown", "\(last ?? [:])")
        #expect(last?["exitCode"] as? Int == 137, "\(last ?? [:])")
        let message = last?["message"] as? String ?? ""
        #expect(message.contains("unknown"), "\(last ?? [:])")
        #expect(s.eventually(15) { s.phase(never) == "Failed" }, "the Never pod fails: \(s.phase(never) ?? "-")")
        let terminated = (s.containerStatus(never)?["state"] as? [String: Any])?["terminated"] as? [String: Any]
        #expect(terminated?["reason"] as? String == "ContainerStatusUnknown", "\(terminated ?? [:])")
        #expect(terminated?["exitCode"] as? Int == 137, "\(terminated ?? [:])")
        #expect(s.eventually(5) { old.allSatisfy { !$0.isAlive } }, "the old containers are killed: \(old.filter(\.isAlive))")
        #expect(s.eventually(15) { s.phase(always) == "Running" }, "the Always pod runs again")
        let deleted = s.run(["delete", "pods", "--all", "--grace-period", "1"], timeout: 60)
        #expect(deleted.status == 0, "nothing stuck terminating: \(deleted.err)")
        trace.expectCleanEnd()
    }

    // MARK: F9

    /// F9: an upgrade. The daemon stopped (SIGTERM) and another build started on the same root:
    /// it runs from the new executable and takes over every pod without restarting any.
    @Test func upgradeToAnotherBuildRestartsNothing() throws {
        let s = E2ESession()
        let prefix = s.podPrefix("upg")
        let trace = SessionTrace(s, prefix: prefix)
        let names = (0..<3).map { "\(prefix)-\($0)" }
        let www = s.webRoot(files: ["healthz": "ok\n"])
        let copy = s.dir + "/second-build/swiftlet"
        try FileManager.default.createDirectory(atPath: s.dir + "/second-build", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: E2ESession.swiftlet, toPath: copy)
        guard s.runDetached(NetworkPods.file(names.map { DaemonPods.web($0, www: www) })) else { return trace.expectCleanEnd() }
        #expect(s.eventually(20) {
            let pods = s.allPods()
            return names.allSatisfy { Self.runningAndReady(pods[$0]) }
        })
        trace.note()
        let before = names.map { s.snapshot($0) }
        let eventsBefore = s.killingOrUnhealthy()
        trace.note(s.stopDaemon())
        let upgraded = s.startDaemon(executable: copy)
        trace.note(upgraded)
        #expect(upgraded.flatMap { Proc.exe($0.pid) } == copy, "runs \(upgraded.flatMap { Proc.exe($0.pid) } ?? "-")")
        let pods = s.allPods()
        #expect(names.allSatisfy { Self.runningAndReady(pods[$0]) }, "Ready at once")
        #expect(names.map { s.snapshot($0) } == before, "nothing restarted: \(names.map { s.snapshot($0) }) was \(before)")
        #expect(s.throughout(2) { names.allSatisfy { s.restarts($0) == 0 } })
        #expect(s.killingOrUnhealthy() == eventsBefore, "no probe failed, nothing was killed: \(s.killingOrUnhealthy())")
        trace.expectCleanEnd()
    }

    /// `swiftlet daemon --upgrade-keeper` with a second build of the keeper: the keeper
    /// re-executes it in place (same pid), every container stays its child and keeps running,
    /// and an exit after the upgrade is still reported exactly.
    @Test func keeperUpgradeRestartsNothing() throws {
        let s = E2ESession()
        let prefix = s.podPrefix("kup")
        let trace = SessionTrace(s, prefix: prefix)
        let www = s.webRoot(files: ["healthz": "ok\n"])
        let dir = s.dir + "/second-build"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        for binary in ["swiftlet", "swiftlet-keeper"] {
            let built = (E2ESession.swiftlet as NSString).deletingLastPathComponent + "/" + binary
            try FileManager.default.copyItem(atPath: built, toPath: dir + "/" + binary)
        }
        let web = "\(prefix)-web", exiting = "\(prefix)-exit"
        let pods = [DaemonPods.web(web, www: www),
                    DaemonPods.script(exiting, "sleep 4; exit 3", restartPolicy: "Never")]
        guard s.runDetached(NetworkPods.file(pods)) else { return trace.expectCleanEnd() }
        #expect(s.eventually(20) { Self.runningAndReady(s.allPods()[web]) })
        trace.note()
        let keeper = s.keeperPID
        let before = s.snapshot(web)
        guard let child = s.spawn(executable: dir + "/swiftlet", ["daemon", "--upgrade-keeper"]) else { return trace.expectCleanEnd() }
        let r = s.wait(child, timeout: 30)
        #expect(r.status == 0, "\(r)")
        #expect(s.keeperPID == keeper, "same keeper pid")
        #expect(keeper.flatMap { Proc.exe($0) } == dir + "/swiftlet-keeper", "runs \(keeper.flatMap { Proc.exe($0) } ?? "-")")
        #expect(s.snapshot(web) == before, "nothing restarted")
        // The Never pod exits 3 after the upgrade: its status still comes exact, from the new binary.
        #expect(s.eventually(20) { s.phase(exiting) == "Failed" })
        let terminated = (s.containerStatus(exiting)?["state"] as? [String: Any])?["terminated"] as? [String: Any]
        #expect(terminated?["exitCode"] as? Int == 3, "\(String(describing: terminated))")
        #expect(Self.runningAndReady(s.allPods()[web]) && s.restarts(web) == 0)
        trace.expectCleanEnd()
    }

    /// The daemon's metrics in the Prometheus text format, the kubelet's names first: on its
    /// socket (`swiftlet metrics`) and over HTTP with `--metrics-address` (loopback of the
    /// session's own network namespace).
    @Test func metricsOnTheSocketAndOverHTTP() throws {
        let s = E2ESession()
        let prefix = s.podPrefix("met")
        let trace = SessionTrace(s, prefix: prefix)
        let www = s.webRoot(files: ["healthz": "ok\n"])
        let web = "\(prefix)-web"
        let started = s.run(["daemon", "-d", "--metrics-address", "127.0.0.1:19101", "--cni-conf-dir", s.cniConfDir], timeout: 60)
        #expect(started.status == 0, "\(started)")
        guard s.runDetached(DaemonPods.web(web, www: www)) else { return trace.expectCleanEnd() }
        #expect(s.eventually(20) { Self.runningAndReady(s.allPods()[web]) })
        let probes = #"prober_probe_total{probe_type="Liveness",result="successful",container="c",pod="\#(web)",namespace="default""#
        #expect(s.eventually(10) { s.run(["metrics"]).out.contains(probes) }, "\(s.run(["metrics"]).out.prefix(2000))")
        let socket = s.run(["metrics"]).out
        for family in ["# TYPE prober_probe_total counter", "# TYPE prober_probe_duration_seconds histogram",
                       "# TYPE swiftlet_restart_latency_seconds histogram", "swiftlet_pods{phase=\"Running\"} 1"] {
            #expect(socket.contains(family), "\(family)")
        }
        let http = s.inNetns(["curl", "-s", "-i", "http://127.0.0.1:19101/metrics"])
        #expect(http.out.hasPrefix("HTTP/1.1 200"), "\(http.out.prefix(300))")
        #expect(http.out.contains("text/plain; version=0.0.4") && http.out.contains(probes), "\(http.out.prefix(300))")
        trace.expectCleanEnd()
    }

    /// A daemon that `run` started exits once it has no pod, and a `run` refused by it leaves it
    /// none: the next `run`, right after, must still get its pods started (by that daemon, or by
    /// a new one if it was already going), never a daemon that hangs up half-way.
    @Test func aRunRightAfterARefusedRunIsNotLost() throws {
        let s = E2ESession()
        let prefix = s.podPrefix("rr")
        let trace = SessionTrace(s, prefix: prefix)
        for round in 0..<5 {
            let refused = NetworkPods.pod("\(prefix)-bad\(round)", script: "sleep 600", container: "ports:\n- {containerPort: 80, hostPort: 30080}")
            let bad = s.run(["run", "-d", "-f", s.write(refused), "--network", "none"])
            #expect(bad.status == 1 && bad.err.contains("hostPort"), "\(bad)")
            let good = s.run(["run", "-d", "-f", s.write(NetworkPods.sleeper("\(prefix)-ok\(round)")), "--network", "none"])
            #expect(good.status == 0, "round \(round): \(good)\n\(s.daemonLogTail())")
            #expect(s.run(["delete", "pod", "\(prefix)-ok\(round)", "--grace-period", "1"]).status == 0)
        }
        trace.expectCleanEnd()
    }

    // MARK: Helpers

    /// phase Running, condition Ready True, the container ready.
    static func runningAndReady(_ pod: [String: Any]?) -> Bool {
        let status = pod?["status"] as? [String: Any]
        let ready = (status?["conditions"] as? [[String: Any]])?.first { $0["type"] as? String == "Ready" }?["status"] as? String
        let container = (status?["containerStatuses"] as? [[String: Any]])?.first
        return status?["phase"] as? String == "Running" && ready == "True" && container?["ready"] as? Bool == true
    }

    static func restartCount(_ pod: [String: Any]?) -> Int {
        (((pod?["status"] as? [String: Any])?["containerStatuses"] as? [[String: Any]])?.first?["restartCount"] as? Int) ?? -1
    }

    /// The last 4 KiB of a file.
    static func tail(of path: String) -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else { return "" }
        defer { try? handle.close() }
        let size = (try? handle.seekToEnd()) ?? 0
        try? handle.seek(toOffset: size > 4096 ? size - 4096 : 0)
        return String(decoding: (try? handle.readToEnd()) ?? Data(), as: UTF8.self)
    }
}
