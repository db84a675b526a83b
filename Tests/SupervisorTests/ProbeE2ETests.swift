import Foundation
import Testing

/// The Kubernetes e2e probe tests (test/e2e/common/node/container_probe.go), plus back-off, OOM
/// and validation, against real pods started by the `swiftlet` binary: real containers in real
/// namespaces, probed from the pod's network namespace, observed only as a user would observe them
/// (`get pods -o json`, `get events -o json`, `logs`). Periods are 1 s so each test takes seconds.
@Suite(.enabled(if: geteuid() == 0, "needs root: pods run real containers"), .serialized)
struct ProbeE2ETests {
    static let busybox = E2ESession.busybox
    static let kubia = E2ESession.kubia

    /// A shell as pid 1 that ends on SIGTERM (pid 1 ignores signals it has no handler for) while
    /// its last command runs in the background.
    static let onTermExit = "trap 'exit 143' TERM; "

    /// A script that does nothing until SIGTERM.
    static let waitForTerm = onTermExit + "sleep 600 & wait"

    /// Liveness on `cat /tmp/health` every second; the first failure restarts.
    static let healthFileLiveness = """
        livenessProbe:
          exec: {command: [cat, /tmp/health]}
          periodSeconds: 1
          failureThreshold: 1
        """

    /// A startup probe on `cat /tmp/startup` every second that gives up only after a minute.
    static let startupFileProbe = """
        startupProbe:
          exec: {command: [cat, /tmp/startup]}
          periodSeconds: 1
          failureThreshold: 60
        """

    /// Liveness on `redirect(to:)`'s CGI script every second; the first failure restarts.
    static let redirectLiveness = """
        livenessProbe:
          httpGet: {path: /cgi-bin/redirect, port: 8080}
          periodSeconds: 1
          failureThreshold: 1
        """

    /// A one-container pod (`c`) running `sh -c script`. `spec` and `container` are extra YAML
    /// lines for the pod spec and the container; several `container` parts are joined in order.
    static func pod(_ name: String, image: String = busybox, script: String? = nil,
                    spec: String = "terminationGracePeriodSeconds: 5", container: String...) -> String {
        func indent(_ text: String, _ n: Int) -> String {
            text.split(separator: "\n", omittingEmptySubsequences: false)
                .map { String(repeating: " ", count: n) + $0 }.joined(separator: "\n")
        }
        let command = script.map { s in
            "command: [\"sh\", \"-c\", \"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\"]"
        }
        return """
            apiVersion: v1
            kind: Pod
            metadata:
              name: \(name)
            spec:
            \(indent(spec, 2))
              containers:
              - name: c
                image: \(image)
            \(command.map { indent($0, 4) } ?? "")
            \(indent(container.joined(separator: "\n"), 4))
            """
    }

    /// `httpd` serving `www` (a host directory, mounted read-only at /www) on port 8080, logging
    /// each request (`url:/healthz`, `response:200`) to stdout.
    static func webPod(_ name: String, www: String, probe: String) -> String {
        pod(name, script: onTermExit + "httpd -f -vv -p 8080 -h /www & wait", spec: """
            terminationGracePeriodSeconds: 5
            volumes:
            - name: www
              hostPath: {path: \(www)}
            """, container: """
            volumeMounts:
            - {name: www, mountPath: /www, readOnly: true}
            \(probe)
            """)
    }

    /// A CGI script that answers a redirect to `location`.
    static func redirect(to location: String) -> String {
        "#!/bin/sh\nprintf 'Status: 302 Found\\r\\nLocation: \(location)\\r\\nContent-Type: text/plain\\r\\n\\r\\nmoved\\n'\n"
    }

    func start(_ s: E2ESession, _ yaml: String, backoff: String = "1s") {
        let r = s.run(["run", "-d", "-f", s.write(yaml), "--backoff-initial", backoff])
        #expect(r.status == 0, "run failed: \(r.err)")
    }

    // MARK: HTTP liveness

    /// container_probe.go: "should be restarted with a /healthz http liveness probe". /healthz
    /// answers for 3 s after each start, then 404 (agnhost's liveness server fails after 10 s).
    @Test func httpLivenessRestartsWhenHealthzStartsFailing() {
        let s = E2ESession()
        start(s, Self.pod("liveness-http", script: "mkdir -p /www; echo ok > /www/healthz; (sleep 3; rm /www/healthz) & "
                                                  + Self.onTermExit + "httpd -f -p 8080 -h /www & wait", container: """
            livenessProbe:
              httpGet: {path: /healthz, port: 8080}
              initialDelaySeconds: 1
              periodSeconds: 1
              failureThreshold: 1
            """))
        #expect(s.eventually(30) { s.restarts("liveness-http") >= 1 }, "restarted")
        #expect(s.messages("liveness-http", reason: "Unhealthy").contains("Liveness probe failed: HTTP probe failed with statuscode: 404"))
        #expect(s.messages("liveness-http", reason: "Killing").contains("Container c failed liveness probe, will be restarted"))
    }

    /// "should *not* be restarted with a /healthz http liveness probe".
    @Test func httpLivenessLeavesAHealthyServerAlone() {
        let s = E2ESession()
        let www = s.webRoot(files: ["healthz": "ok\n"])
        start(s, Self.webPod("healthy-http", www: www, probe: """
            livenessProbe:
              httpGet: {path: /healthz, port: 8080}
              periodSeconds: 1
              failureThreshold: 1
            """))
        #expect(s.throughout(5) { s.restarts("healthy-http") == 0 }, "never restarted")
        let logs = s.run(["logs", "healthy-http"]).out
        #expect(logs.components(separatedBy: "url:/healthz").count > 3, "probed every second: \(logs)")
        #expect(s.messages("healthy-http", reason: "Unhealthy").isEmpty)
        #expect(s.phase("healthy-http") == "Running")
    }

    // MARK: TCP liveness

    /// "should *not* be restarted with a tcp:8080 liveness probe": kubia answers 500 after five
    /// requests; a readiness probe over HTTP sees that, the TCP liveness probe only connects.
    @Test func tcpLivenessIsNotFooledByHTTP500() {
        let s = E2ESession()
        start(s, Self.pod("liveness-tcp", image: Self.kubia, container: """
            livenessProbe:
              tcpSocket: {port: 8080}
              periodSeconds: 1
              failureThreshold: 1
            readinessProbe:
              httpGet: {path: /, port: 8080}
              periodSeconds: 1
              failureThreshold: 1
            """))
        #expect(s.eventually(20) {
            s.messages("liveness-tcp", reason: "Unhealthy").contains("Readiness probe failed: HTTP probe failed with statuscode: 500")
        }, "the server answers 500")
        #expect(s.throughout(3) { s.restarts("liveness-tcp") == 0 }, "never restarted")
        #expect(s.containerStatus("liveness-tcp")?["ready"] as? Bool == false)
        #expect(!s.messages("liveness-tcp", reason: "Unhealthy").contains { $0.hasPrefix("Liveness") })
    }

    // MARK: Restart count

    /// "should have monotonically increasing restart count".
    @Test func restartCountOnlyGrows() {
        let s = E2ESession()
        start(s, Self.pod("monotonic", script: Self.onTermExit + "echo ok > /tmp/health; sleep 1; rm /tmp/health; sleep 600 & wait",
                          container: Self.healthFileLiveness), backoff: "200ms")
        var samples: [Int] = []
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline && (samples.last ?? 0) < 3 {
            samples.append(s.restarts("monotonic"))
            usleep(250_000)
        }
        #expect((samples.last ?? 0) >= 3, "\(samples)")
        #expect(samples == samples.sorted(), "never decreases: \(samples)")
        #expect(!samples.contains(-1), "always readable: \(samples)")
    }

    // MARK: exec timeout

    /// "should be restarted with an exec liveness probe with timeout": the kubelet ignored exec
    /// timeouts before 1.20; swiftlet enforces them, killing the probe when its time is up (a
    /// probe that only reported the timeout once the command ended would take 10 minutes here).
    @Test func execProbeTimeoutRestarts() {
        let s = E2ESession()
        start(s, Self.pod("exec-timeout", script: Self.waitForTerm, container: """
            livenessProbe:
              exec: {command: [sleep, "600"]}
              timeoutSeconds: 1
              periodSeconds: 2
              failureThreshold: 1
            """))
        #expect(s.eventually(30) { s.restarts("exec-timeout") >= 1 }, "restarted")
        #expect(s.messages("exec-timeout", reason: "Unhealthy").contains(#"Liveness probe failed: command "sleep 600" timed out"#))
        #expect(s.messages("exec-timeout", reason: "Killing").contains("Container c failed liveness probe, will be restarted"))
    }

    // MARK: Redirects

    /// "should be restarted with a local redirect http liveness probe": the redirect is followed
    /// to /healthz, which does not exist.
    @Test func sameHostRedirectIsFollowedToAFailure() {
        let s = E2ESession()
        let www = s.webRoot(scripts: ["redirect": Self.redirect(to: "/healthz")])
        start(s, Self.webPod("redirect-fail", www: www, probe: Self.redirectLiveness))
        #expect(s.eventually(30) { s.restarts("redirect-fail") >= 1 }, "restarted")
        #expect(s.messages("redirect-fail", reason: "Unhealthy").contains("Liveness probe failed: HTTP probe failed with statuscode: 404"))
    }

    @Test func sameHostRedirectIsFollowedToASuccess() {
        let s = E2ESession()
        let www = s.webRoot(files: ["healthz": "ok\n"], scripts: ["redirect": Self.redirect(to: "/healthz")])
        start(s, Self.webPod("redirect-ok", www: www, probe: Self.redirectLiveness))
        #expect(s.throughout(5) { s.restarts("redirect-ok") == 0 }, "never restarted")
        let logs = s.run(["logs", "redirect-ok"]).out
        #expect(logs.contains("url:/cgi-bin/redirect") && logs.contains("url:/healthz"), "followed: \(logs)")
        #expect(s.events("redirect-ok").filter { $0.type == "Warning" }.isEmpty)
    }

    /// "should *not* be restarted with a non-local redirect http liveness probe": a redirect to
    /// another host is not followed; it counts as success with a ProbeWarning event.
    @Test func otherHostRedirectIsAWarningNotARestart() {
        let s = E2ESession()
        let www = s.webRoot(scripts: ["redirect": Self.redirect(to: "http://0.0.0.0:8080/healthz")])
        start(s, Self.webPod("redirect-away", www: www, probe: Self.redirectLiveness))
        #expect(s.eventually(20) { !s.messages("redirect-away", reason: "ProbeWarning").isEmpty }, "warned")
        #expect(s.throughout(3) { s.restarts("redirect-away") == 0 }, "never restarted")
        let warnings = s.messages("redirect-away", reason: "ProbeWarning")
        #expect(warnings == ["Liveness probe warning: Probe terminated redirects, Response body: moved\n"], "\(warnings)")
        #expect(s.messages("redirect-away", reason: "Unhealthy").isEmpty)
        #expect(!s.run(["logs", "redirect-away"]).out.contains("url:/healthz"), "not followed")
    }

    // MARK: Startup probes

    /// "should be restarted startup probe fails". An exec probe's output is the event message as
    /// it is, trailing newline included, as the kubelet records it.
    @Test func failingStartupProbeRestarts() {
        let s = E2ESession()
        start(s, Self.pod("startup-fails", script: Self.waitForTerm, container: """
            startupProbe:
              exec: {command: [cat, /tmp/startup]}
              periodSeconds: 1
              failureThreshold: 2
            """))
        #expect(s.eventually(30) { s.restarts("startup-fails") >= 1 }, "restarted")
        #expect(s.messages("startup-fails", reason: "Unhealthy")
            .contains("Startup probe failed: cat: can't open '/tmp/startup': No such file or directory\n"))
        #expect(s.messages("startup-fails", reason: "Killing").contains("Container c failed startup probe, will be restarted"))
    }

    /// "should *not* be restarted by liveness probe because startup probe delays it".
    @Test func startupProbeHoldsLivenessBack() {
        let s = E2ESession()
        start(s, Self.pod("startup-delays", script: Self.waitForTerm, container: Self.healthFileLiveness, Self.startupFileProbe))
        #expect(s.throughout(5) { s.restarts("startup-delays") == 0 }, "never restarted")
        let unhealthy = s.messages("startup-delays", reason: "Unhealthy")
        #expect(unhealthy.contains { $0.hasPrefix("Startup probe failed: ") }, "the startup probe runs: \(unhealthy)")
        #expect(!unhealthy.contains { $0.hasPrefix("Liveness") }, "liveness waits: \(unhealthy)")
        #expect(s.containerStatus("startup-delays")?["started"] as? Bool == false)
    }

    /// "should be restarted by liveness probe after startup probe enables it".
    @Test func livenessRunsOnceStartupSucceeded() {
        let s = E2ESession()
        start(s, Self.pod("startup-then-liveness", script: Self.onTermExit + "sleep 2; touch /tmp/startup; sleep 600 & wait",
                          container: Self.healthFileLiveness, Self.startupFileProbe))
        #expect(s.eventually(30) { s.restarts("startup-then-liveness") >= 1 }, "restarted")
        #expect(s.messages("startup-then-liveness", reason: "Unhealthy")
            .contains("Liveness probe failed: cat: can't open '/tmp/health': No such file or directory\n"))
        let killing = s.messages("startup-then-liveness", reason: "Killing")
        #expect(killing.contains("Container c failed liveness probe, will be restarted"), "\(killing)")
        #expect(!killing.contains { $0.contains("startup probe") }, "\(killing)")
    }

    /// "should be ready immediately after startupProbe succeeds": readiness is probed as soon as
    /// startup succeeds, not at its next tick (60 s away here).
    @Test func readinessFollowsStartupAtOnce() {
        let s = E2ESession()
        start(s, Self.pod("startup-then-ready", script: Self.onTermExit + "echo ok > /tmp/health; sleep 3; touch /tmp/startup; sleep 600 & wait",
                          container: """
            readinessProbe:
              exec: {command: [cat, /tmp/health]}
              periodSeconds: 60
            """, Self.startupFileProbe))
        let before = s.containerStatus("startup-then-ready")
        #expect(before?["started"] as? Bool == false && before?["ready"] as? Bool == false, "\(before ?? [:])")
        #expect(s.eventually(20) { s.containerStatus("startup-then-ready")?["ready"] as? Bool == true }, "ready long before the 60 s tick")
        #expect(s.containerStatus("startup-then-ready")?["started"] as? Bool == true)
        #expect(s.condition("startup-then-ready", "Ready") == "True")
        #expect(s.condition("startup-then-ready", "ContainersReady") == "True")
        #expect(s.restarts("startup-then-ready") == 0)
    }

    // MARK: Grace periods

    /// "should override timeoutGracePeriodSeconds when LivenessProbe field is set": the pod asks
    /// for 600 s, the probe for 2 s, and the container ignores SIGTERM: SIGKILL after 2 s.
    @Test func probeGracePeriodOverridesThePods() {
        let s = E2ESession()
        start(s, Self.pod("probe-grace", script: "trap '' TERM; echo ok > /tmp/health; sleep 1; rm /tmp/health; while true; do sleep 1; done",
                          spec: "terminationGracePeriodSeconds: 600", container: """
            livenessProbe:
              exec: {command: [cat, /tmp/health]}
              periodSeconds: 1
              failureThreshold: 1
              terminationGracePeriodSeconds: 2
            """))
        #expect(s.eventually(30) { s.restarts("probe-grace") >= 1 }, "restarted long before 600 s")
        let last = (s.containerStatus("probe-grace")?["lastState"] as? [String: Any])?["terminated"] as? [String: Any]
        #expect(last?["exitCode"] as? Int == 137, "killed by SIGKILL: \(last ?? [:])")
        #expect(s.messages("probe-grace", reason: "Killing").contains("Container c failed liveness probe, will be restarted"))
    }

    // MARK: Readiness

    /// "should never be ready and never restart" (a readiness probe that always fails).
    @Test func readinessOnAClosedPortNeverReadyNeverRestarts() throws {
        let s = E2ESession()
        start(s, Self.pod("never-ready", script: Self.waitForTerm, container: """
            readinessProbe:
              tcpSocket: {port: 9999}
              periodSeconds: 1
            """))
        #expect(s.throughout(4) {
            let c = s.containerStatus("never-ready")
            return c?["ready"] as? Bool == false && c?["restartCount"] as? Int == 0
        }, "never ready, never restarted")
        let failed = s.events("never-ready").filter { $0.reason == "Unhealthy" }
        // The kubelet's target: the pod IP.
        let ip = try #require((s.pod("never-ready")?["status"] as? [String: Any])?["podIP"] as? String)
        #expect(failed.map(\.message) == ["Readiness probe failed: dial tcp \(ip):9999: connect: connection refused"])
        #expect((failed.first?.count ?? 0) >= 3, "probed every second: \(failed)")
        #expect(s.condition("never-ready", "Ready") == "False")
        #expect(s.phase("never-ready") == "Running")
    }

    // MARK: Deletion

    /// "should mark readiness on pods to false while pod is in progress of terminating" and the
    /// kubelet's rule that liveness stops while a pod is deleted. On SIGTERM the container
    /// removes its health file and keeps running through the grace period: readiness goes on and
    /// fails (NotReady); liveness, which would fail too, has stopped, so nothing restarts.
    @Test func livenessStopsWhileThePodIsDeleted() throws {
        let s = E2ESession()
        start(s, Self.pod("deleting", script: "echo ok > /tmp/health; trap 'rm -f /tmp/health' TERM; while true; do sleep 1; done",
                          spec: "terminationGracePeriodSeconds: 30", container: Self.healthFileLiveness, """
            readinessProbe:
              exec: {command: [cat, /tmp/health]}
              periodSeconds: 1
              failureThreshold: 1
            """))
        #expect(s.eventually(15) { s.containerStatus("deleting")?["ready"] as? Bool == true }, "ready first")
        let deletion = try #require(s.spawn(["delete", "pod", "deleting", "--grace-period", "6"]))
        #expect(s.eventually(10) { (s.pod("deleting")?["metadata"] as? [String: Any])?["deletionTimestamp"] != nil }, "being deleted")
        var sawNotReady = false, sawReadinessFailure = false
        var livenessEvents: [String] = [], restartCounts: Set<Int> = []
        while let c = s.containerStatus("deleting") {
            if c["ready"] as? Bool == false { sawNotReady = true }
            if let n = c["restartCount"] as? Int { restartCounts.insert(n) }
            let events = s.events("deleting")
            if events.contains(where: { $0.message.hasPrefix("Readiness probe failed: ") }) { sawReadinessFailure = true }
            livenessEvents += events.filter { $0.message.hasPrefix("Liveness") || $0.message.contains("failed liveness probe") }.map(\.message)
            usleep(200_000)
        }
        let deleted = s.wait(deletion, timeout: 60)
        #expect(deleted.status == 0, "\(deleted.err)")
        #expect(sawReadinessFailure, "readiness goes on during deletion")
        #expect(sawNotReady, "the pod turns NotReady")
        #expect(livenessEvents.isEmpty, "liveness stopped: \(livenessEvents)")
        #expect(restartCounts == [0], "never restarted: \(restartCounts)")
        #expect(s.pod("deleting") == nil)
    }

    // MARK: Back-off

    /// A container that always exits 1: restarts wait 1 s, then 2 s, then 4 s (--backoff-initial
    /// 1s, doubling), the container waits in CrashLoopBackOff and BackOff events are recorded.
    @Test func crashLoopBackOffDoubles() {
        let s = E2ESession()
        start(s, Self.pod("crashloop", script: "exit 1", container: ""), backoff: "1s")
        var restartedAt: [Int: Date] = [:]
        var waiting: Set<String> = [], messages: Set<String> = []
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline && restartedAt[4] == nil {
            usleep(50_000)
            guard let c = s.containerStatus("crashloop"), let n = c["restartCount"] as? Int else { continue }
            if restartedAt[n] == nil { restartedAt[n] = Date() }
            if let w = (c["state"] as? [String: Any])?["waiting"] as? [String: Any] {
                waiting.insert(w["reason"] as? String ?? "")
                messages.insert(w["message"] as? String ?? "")
            }
        }
        guard let r1 = restartedAt[1], let r2 = restartedAt[2], let r3 = restartedAt[3], let r4 = restartedAt[4] else {
            Issue.record("restarts seen: \(restartedAt.keys.sorted())")
            return
        }
        let (g1, g2, g3) = (r2.timeIntervalSince(r1), r3.timeIntervalSince(r2), r4.timeIntervalSince(r3))
        #expect(g1 >= 0.7, "the first back-off (1 s) is waited out: \(g1)")
        #expect(g2 > g1 + 0.5, "then it doubles: \(g1) \(g2)")
        #expect(g3 > g2 + 1, "and doubles again: \(g2) \(g3)")
        #expect(waiting.contains("CrashLoopBackOff"), "\(waiting)")
        #expect(messages.contains { $0.hasPrefix("back-off 2s restarting failed container=c pod=crashloop_default(") }, "\(messages)")
        let uid = (s.pod("crashloop")?["metadata"] as? [String: Any])?["uid"] as? String ?? "?"
        #expect(s.messages("crashloop", reason: "BackOff") == ["Back-off restarting failed container c in pod crashloop_default(\(uid))"])
        let last = (s.containerStatus("crashloop")?["lastState"] as? [String: Any])?["terminated"] as? [String: Any]
        #expect(last?["exitCode"] as? Int == 1 && last?["reason"] as? String == "Error", "\(last ?? [:])")
    }

    // MARK: OOM

    /// A container that outgrows its memory limit is OOM-killed by the kernel, and says so.
    @Test func memoryLimitOOMKills() {
        let s = E2ESession()
        start(s, Self.pod("oom", script: "head -c 100m /dev/zero | tail", container: """
            resources:
              limits: {memory: 16Mi}
            """))
        #expect(s.eventually(30) {
            let last = (s.containerStatus("oom")?["lastState"] as? [String: Any])?["terminated"] as? [String: Any]
            return last?["reason"] as? String == "OOMKilled" && last?["exitCode"] as? Int == 137
        }, "\(s.containerStatus("oom") ?? [:])")
    }

    // MARK: Validation

    struct InvalidFile: Sendable, CustomTestStringConvertible {
        let testDescription: String
        let yaml: String
        /// stderr, with `FILE` standing for the file's path.
        let stderr: String
    }

    static let invalidFiles: [InvalidFile] = [
        InvalidFile(testDescription: "periodSeconds 0", yaml: pod("bad", script: "true", container: """
            livenessProbe:
              exec: {command: ["true"]}
              periodSeconds: 0
            """), stderr: """
            The Pod "bad" is invalid: \("")
            * spec.containers[0].livenessProbe.periodSeconds: Invalid value: 0: must be greater than or equal to 1
            """),
        InvalidFile(testDescription: "liveness successThreshold 2", yaml: pod("bad", script: "true", container: """
            livenessProbe:
              tcpSocket: {port: 8080}
              successThreshold: 2
            """), stderr: """
            The Pod "bad" is invalid: \("")
            * spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1
            """),
        InvalidFile(testDescription: "startup successThreshold 2", yaml: pod("bad", script: "true", container: """
            startupProbe:
              tcpSocket: {port: 8080}
              successThreshold: 2
            """), stderr: """
            The Pod "bad" is invalid: \("")
            * spec.containers[0].startupProbe.successThreshold: Invalid value: 2: must be 1
            """),
        InvalidFile(testDescription: "two handlers", yaml: pod("bad", script: "true", container: """
            livenessProbe:
              exec: {command: [cat, /tmp/health]}
              httpGet: {path: /healthz, port: 8080}
            """), stderr: """
            The Pod "bad" is invalid: \("")
            * spec.containers[0].livenessProbe.httpGet: Forbidden: may not specify more than 1 handler type
            """),
        InvalidFile(testDescription: "kind: pod", yaml: pod("bad", script: "true", container: "")
            .replacingOccurrences(of: "kind: Pod", with: "kind: pod"),
            stderr: #"error: error validating "FILE": kind: Invalid value: "pod": must be "Pod""#),
        InvalidFile(testDescription: "one valid pod, one invalid", yaml: pod("good", script: "sleep 600", container: "")
            + "\n---\n" + pod("bad", script: "true", container: """
            readinessProbe:
              tcpSocket: {port: 8080}
              terminationGracePeriodSeconds: 5
            """), stderr: """
            The Pod "bad" is invalid: \("")
            * spec.containers[0].readinessProbe.terminationGracePeriodSeconds: Invalid value: 5: must not be set for readinessProbes
            """),
    ]

    /// The image's stop signal (an OCI bundle's `org.opencontainers.image.stopSignal`) is what a
    /// probe kill sends first, as the kubelet does; the container leaves on it, not on SIGKILL.
    @Test func aProbeKillSendsTheImagesStopSignal() throws {
        let s = E2ESession()
        let image = s.dir + "/usr1-image"
        try FileManager.default.createDirectory(atPath: image, withIntermediateDirectories: true)
        let kubiaConfig = try Data(contentsOf: URL(fileURLWithPath: Self.kubia + "/config.json"))
        var config = try #require(try JSONSerialization.jsonObject(with: kubiaConfig) as? [String: Any])
        config["root"] = ["path": Self.busybox, "readonly": true]
        var process = try #require(config["process"] as? [String: Any])
        process["args"] = ["sh", "-c", "trap 'echo got USR1; exit 0' USR1; trap 'echo got TERM; exit 0' TERM; sleep 1000 & wait $!"]
        config["process"] = process
        config["annotations"] = ["org.opencontainers.image.stopSignal": "SIGUSR1"]
        try JSONSerialization.data(withJSONObject: config).write(to: URL(fileURLWithPath: image + "/config.json"))
        let yaml = """
            apiVersion: v1
            kind: Pod
            metadata:
              name: stopsignal
            spec:
              containers:
              - name: c
                image: \(image)
                livenessProbe:
                  exec:
                    command: ["false"]
                  initialDelaySeconds: 1
                  periodSeconds: 1
                  failureThreshold: 1
            """
        #expect(s.run(["run", "-d", "-f", s.write(yaml), "--backoff-initial", "1s"]).status == 0)
        #expect(s.eventually(20) { s.restarts("stopsignal") >= 1 })
        let previous = s.run(["logs", "stopsignal", "--previous"])
        #expect(previous.out == "got USR1\n", "\(previous)")
        let last = (s.containerStatus("stopsignal")?["lastState"] as? [String: Any])?["terminated"] as? [String: Any]
        #expect(last?["exitCode"] as? Int == 0, "\(String(describing: last))")
    }

    /// Nothing starts from a file with an invalid pod, and the error names the field as kubectl does.
    @Test(arguments: invalidFiles)
    func invalidFilesAreRefused(_ c: InvalidFile) {
        let s = E2ESession()
        let file = s.write(c.yaml)
        // Foreground: a file that passed validation would run until the timeout.
        let r = s.run(["run", "-f", file], timeout: 20)
        #expect(r.status == 1, "\(r)")
        #expect(r.err == c.stderr.replacingOccurrences(of: "FILE", with: file) + "\n")
        #expect(r.out.isEmpty, "\(r.out)")
        let none = s.run(["get", "pods"])
        #expect(none.out.isEmpty && none.err.contains("No resources found"), "\(none)")
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: s.dir + "/root/pods")) ?? []).isEmpty)
    }
}
