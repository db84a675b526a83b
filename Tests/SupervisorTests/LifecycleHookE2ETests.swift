import Foundation
import Testing

/// The Kubernetes e2e lifecycle hook tests (test/e2e/common/node/lifecycle_hook.go) against real
/// pods started by the `swiftlet` binary, plus the failure paths the kubelet's
/// kuberuntime_container.go defines and the documentation's "Attach Handlers to Container
/// Lifecycle Events" example. The hooks' HTTP target is a handler pod (busybox httpd with a CGI
/// script that writes each query to a host file), as the e2e's agnhost netexec pod.
@Suite(.enabled(if: geteuid() == 0, "needs root: pods run real containers"), .serialized)
struct LifecycleHookE2ETests {
    typealias P = ProbeE2ETests

    /// The handler pod: records `?msg=...` of every request to /cgi-bin/echo in `requests`.
    struct Handler {
        let ip: String
        let requestsFile: String
        var requests: String { (try? String(contentsOfFile: requestsFile, encoding: .utf8)) ?? "" }
    }

    static func startHandler(_ s: E2ESession) throws -> Handler {
        let www = s.webRoot(scripts: ["echo": "#!/bin/sh\necho \"$QUERY_STRING\" >> /www/requests\nprintf 'Content-Type: text/plain\\r\\n\\r\\nok\\n'\n"])
        let yaml = P.pod("lc-handler", script: P.onTermExit + "httpd -f -p 8080 -h /www & wait", spec: """
            terminationGracePeriodSeconds: 5
            volumes:
            - name: www
              hostPath: {path: \(www)}
            """, container: """
            volumeMounts:
            - {name: www, mountPath: /www}
            """)
        #expect(s.run(["run", "-d", "-f", s.write(yaml)]).status == 0)
        #expect(s.eventually(20) { s.phase("lc-handler") == "Running" })
        let status = s.pod("lc-handler")?["status"] as? [String: Any]
        let ip = try #require(status?["podIP"] as? String)
        return Handler(ip: ip, requestsFile: www + "/requests")
    }

    static func wget(_ handler: Handler, _ msg: String) -> String {
        "command: [\"sh\", \"-c\", \"wget -q -O- 'http://\(handler.ip):8080/cgi-bin/echo?msg=\(msg)'\"]"
    }

    func start(_ s: E2ESession, _ yaml: String) {
        let r = s.run(["run", "-d", "-f", s.write(yaml), "--backoff-initial", "1s"])
        #expect(r.status == 0, "run failed: \(r.err)")
    }

    // MARK: lifecycle_hook.go

    /// "should execute poststart exec hook properly".
    @Test func postStartExecHook() throws {
        let s = E2ESession()
        let handler = try Self.startHandler(s)
        start(s, P.pod("poststart-exec", script: P.waitForTerm, container: """
            lifecycle:
              postStart:
                exec:
                  \(Self.wget(handler, "poststart"))
            """))
        #expect(s.eventually(20) { handler.requests.contains("msg=poststart") }, "\(handler.requests)")
        #expect(s.eventually(10) { s.phase("poststart-exec") == "Running" })
        #expect(s.messages("poststart-exec", reason: "FailedPostStartHook").isEmpty)
    }

    /// "should execute prestop exec hook properly".
    @Test func preStopExecHook() throws {
        let s = E2ESession()
        let handler = try Self.startHandler(s)
        start(s, P.pod("prestop-exec", script: P.waitForTerm, container: """
            lifecycle:
              preStop:
                exec:
                  \(Self.wget(handler, "prestop"))
            """))
        #expect(s.eventually(20) { s.phase("prestop-exec") == "Running" })
        #expect(!handler.requests.contains("msg=prestop"), "not before the stop")
        #expect(s.run(["delete", "pod", "prestop-exec"]).status == 0)
        #expect(handler.requests.contains("msg=prestop"), "\(handler.requests)")
    }

    /// "should execute poststart http hook properly".
    @Test func postStartHTTPHook() throws {
        let s = E2ESession()
        let handler = try Self.startHandler(s)
        start(s, P.pod("poststart-http", script: P.waitForTerm, container: """
            lifecycle:
              postStart:
                httpGet: {host: \(handler.ip), port: 8080, path: "/cgi-bin/echo?msg=poststart"}
            """))
        #expect(s.eventually(20) { handler.requests.contains("msg=poststart") }, "\(handler.requests)")
        #expect(s.eventually(10) { s.phase("poststart-http") == "Running" })
    }

    /// "should execute prestop http hook properly".
    @Test func preStopHTTPHook() throws {
        let s = E2ESession()
        let handler = try Self.startHandler(s)
        start(s, P.pod("prestop-http", script: P.waitForTerm, container: """
            lifecycle:
              preStop:
                httpGet: {host: \(handler.ip), port: 8080, path: "/cgi-bin/echo?msg=prestop"}
            """))
        #expect(s.eventually(20) { s.phase("prestop-http") == "Running" })
        #expect(s.run(["delete", "pod", "prestop-http"]).status == 0)
        #expect(handler.requests.contains("msg=prestop"), "\(handler.requests)")
    }

    /// Any HTTP answer is a hook's success, even a 404 (handlers.go reads no status code); an
    /// httpGet hook without `host` goes to the pod's own IP, as the kubelet's does: the
    /// container serves its preStop itself here.
    @Test func anyHTTPStatusIsSuccessAndHooksWithoutHostReachThePodIP() throws {
        let s = E2ESession()
        let handler = try Self.startHandler(s)
        let www = s.webRoot(scripts: ["echo": "#!/bin/sh\necho \"$QUERY_STRING\" >> /www/requests\nprintf 'Content-Type: text/plain\\r\\n\\r\\nok\\n'\n"])
        start(s, P.pod("self-http", script: P.onTermExit + "httpd -f -p 8080 -h /www & wait", spec: """
            terminationGracePeriodSeconds: 5
            volumes:
            - name: www
              hostPath: {path: \(www)}
            """, container: """
            volumeMounts:
            - {name: www, mountPath: /www}
            lifecycle:
              postStart:
                httpGet: {host: \(handler.ip), port: 8080, path: /missing}
              preStop:
                httpGet: {port: 8080, path: "/cgi-bin/echo?msg=prestop-self"}
            """))
        #expect(s.eventually(20) { s.phase("self-http") == "Running" })
        #expect(s.messages("self-http", reason: "FailedPostStartHook").isEmpty, "a 404 is an answer")
        #expect(s.restarts("self-http") == 0)
        #expect(s.run(["delete", "pod", "self-http"]).status == 0)
        let requests = (try? String(contentsOfFile: www + "/requests", encoding: .utf8)) ?? ""
        #expect(requests.contains("msg=prestop-self"), "\(requests)")
    }

    /// "should execute the sleep action": the preStop sleep delays the stop signal. The
    /// container notes when SIGTERM came; it must come after the sleep, inside the grace period.
    @Test func preStopSleepRunsBeforeTheStopSignal() throws {
        let s = E2ESession()
        let data = s.dir + "/sleep-data"
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
        start(s, P.pod("prestop-sleep", script: "trap 'date +%s > /data/term; exit 0' TERM; sleep 600 & wait", spec: """
            terminationGracePeriodSeconds: 30
            volumes:
            - name: data
              hostPath: {path: \(data)}
            """, container: """
            volumeMounts:
            - {name: data, mountPath: /data}
            lifecycle:
              preStop:
                sleep: {seconds: 3}
            """))
        #expect(s.eventually(20) { s.phase("prestop-sleep") == "Running" })
        let before = Date().timeIntervalSince1970
        #expect(s.run(["delete", "pod", "prestop-sleep"]).status == 0)
        let term = try #require(Double((try? String(contentsOfFile: data + "/term", encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines) ?? ""))
        #expect(term - before.rounded(.down) >= 3, "SIGTERM \(term - before) s after the delete began: the sleep comes first")
    }

    /// "should execute the sleep action ... reduce GracePeriodSeconds during runtime": a sleep
    /// longer than the deletion's grace period is cut short by it.
    @Test func preStopSleepIsBoundedByTheGracePeriod() {
        let s = E2ESession()
        start(s, P.pod("prestop-long-sleep", script: P.waitForTerm, spec: "terminationGracePeriodSeconds: 60", container: """
            lifecycle:
              preStop:
                sleep: {seconds: 50}
            """))
        #expect(s.eventually(20) { s.phase("prestop-long-sleep") == "Running" })
        let before = Date()
        #expect(s.run(["delete", "pod", "prestop-long-sleep", "--grace-period", "2"]).status == 0)
        #expect(Date().timeIntervalSince(before) < 30, "a 50 s sleep ended with the 2 s grace period")
    }

    /// "should execute the sleep action ... ignore terminated container": a container that has
    /// already exited gets no preStop hook.
    @Test func noPreStopForAContainerThatAlreadyExited() {
        let s = E2ESession()
        start(s, P.pod("prestop-exited", script: "exit 0", spec: "restartPolicy: Never\nterminationGracePeriodSeconds: 60", container: """
            lifecycle:
              preStop:
                sleep: {seconds: 50}
            """))
        #expect(s.eventually(20) { s.phase("prestop-exited") == "Succeeded" })
        let before = Date()
        #expect(s.run(["delete", "pod", "prestop-exited"]).status == 0)
        #expect(Date().timeIntervalSince(before) < 30, "no 50 s sleep for a container that is gone")
    }

    // MARK: Failures (kuberuntime_container.go)

    /// A failing postStart kills the container, with the kubelet's two events; the restart
    /// policy then applies, so under Always it restarts.
    @Test func aFailingPostStartKillsTheContainerWhichRestarts() {
        let s = E2ESession()
        start(s, P.pod("poststart-fails", script: P.waitForTerm, spec: "terminationGracePeriodSeconds: 2", container: """
            lifecycle:
              postStart:
                exec: {command: ["sh", "-c", "echo no way; exit 3"]}
            """))
        #expect(s.eventually(30) { s.restarts("poststart-fails") >= 1 }, "restarted under Always")
        #expect(s.messages("poststart-fails", reason: "FailedPostStartHook").contains("PostStartHook failed"))
        #expect(s.messages("poststart-fails", reason: "Killing").contains("FailedPostStartHook"))
        let status = s.containerStatus("poststart-fails")
        let last = (status?["lastState"] as? [String: Any])?["terminated"] as? [String: Any]
        #expect(last?["exitCode"] as? Int == 143, "ended by its SIGTERM: \(String(describing: status))")
        // The hook's own message stays out of the event; the daemon's log has it, in the kubelet's words.
        let log = (try? String(contentsOfFile: s.root + "/daemon.log", encoding: .utf8)) ?? ""
        #expect(log.contains(#"Exec lifecycle hook ([sh -c echo no way; exit 3]) for Container "c" in Pod "poststart-fails_default("#), "\(log.suffix(2000))")
        #expect(log.contains(#"failed - error: command 'sh -c echo no way; exit 3' exited with 3: , message: "no way\n""#), "\(log.suffix(2000))")
    }

    /// Under Never the killed container stays terminated and the pod fails.
    @Test func aFailedPostStartUnderNeverFailsThePod() {
        let s = E2ESession()
        start(s, P.pod("poststart-reason", script: P.waitForTerm, spec: "restartPolicy: Never\nterminationGracePeriodSeconds: 2", container: """
            lifecycle:
              postStart:
                exec: {command: ["sh", "-c", "echo no way; exit 3"]}
            """))
        #expect(s.eventually(20) { s.phase("poststart-reason") == "Failed" }, "Never: the pod fails")
        let state = (s.containerStatus("poststart-reason")?["state"] as? [String: Any])?["terminated"] as? [String: Any]
        #expect(state?["exitCode"] as? Int == 143)
        #expect(s.restarts("poststart-reason") == 0)
    }

    /// tcpSocket is kept in LifecycleHandler for compatibility only: the kubelet fails it.
    @Test func aTCPSocketPostStartFailsAsOnTheKubelet() {
        let s = E2ESession()
        start(s, P.pod("poststart-tcp", script: P.waitForTerm, spec: "restartPolicy: Never\nterminationGracePeriodSeconds: 2", container: """
            lifecycle:
              postStart:
                tcpSocket: {port: 8080}
            """))
        #expect(s.eventually(20) { s.phase("poststart-tcp") == "Failed" })
        #expect(s.messages("poststart-tcp", reason: "FailedPostStartHook").contains("PostStartHook failed"))
    }

    /// A failing preStop is reported and the stop goes on. A liveness failure kills through the
    /// same path, so it runs the hook too.
    @Test func aFailingPreStopIsReportedOnALivenessKill() {
        let s = E2ESession()
        start(s, P.pod("prestop-fails", script: P.waitForTerm, spec: "terminationGracePeriodSeconds: 2", container: """
            livenessProbe:
              exec: {command: ["false"]}
              periodSeconds: 1
              failureThreshold: 1
            lifecycle:
              preStop:
                exec: {command: ["sh", "-c", "exit 1"]}
            """))
        #expect(s.eventually(30) { s.restarts("prestop-fails") >= 1 })
        #expect(s.messages("prestop-fails", reason: "FailedPreStopHook").contains("PreStopHook failed"))
        #expect(s.messages("prestop-fails", reason: "Killing").contains("Container c failed liveness probe, will be restarted"))
    }

    /// preStop runs before the stop signal: the hook writes first, the container's TERM trap
    /// second.
    @Test func preStopRunsBeforeTheStopSignal() throws {
        let s = E2ESession()
        let data = s.dir + "/order"
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
        start(s, P.pod("prestop-order", script: "trap 'echo term >> /data/log; exit 0' TERM; sleep 600 & wait", spec: """
            terminationGracePeriodSeconds: 10
            volumes:
            - name: data
              hostPath: {path: \(data)}
            """, container: """
            volumeMounts:
            - {name: data, mountPath: /data}
            lifecycle:
              preStop:
                exec: {command: ["sh", "-c", "sleep 1; echo prestop >> /data/log"]}
            """))
        #expect(s.eventually(20) { s.phase("prestop-order") == "Running" })
        #expect(s.run(["delete", "pod", "prestop-order"]).status == 0)
        #expect((try? String(contentsOfFile: data + "/log", encoding: .utf8)) == "prestop\nterm\n")
    }

    // MARK: Sidecars

    /// A native sidecar's hooks: its postStart completes before the next container starts (the
    /// kubelet counts it started only then), and its preStop runs when the pod stops, after the
    /// app container has stopped.
    @Test func aSidecarsHooksRunAroundTheApp() throws {
        let s = E2ESession()
        let data = s.dir + "/sidecar-journal"
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
        start(s, """
            apiVersion: v1
            kind: Pod
            metadata:
              name: sidecar-hooks
            spec:
              terminationGracePeriodSeconds: 10
              volumes:
              - name: data
                hostPath: {path: \(data)}
              initContainers:
              - name: proxy
                image: \(E2ESession.busybox)
                restartPolicy: Always
                command: ["sh", "-c", "trap 'exit 0' TERM; sleep 600 & wait"]
                volumeMounts: [{name: data, mountPath: /data}]
                lifecycle:
                  postStart:
                    exec: {command: ["sh", "-c", "sleep 1; echo proxy-poststart >> /data/log"]}
                  preStop:
                    exec: {command: ["sh", "-c", "echo proxy-prestop >> /data/log"]}
              containers:
              - name: app
                image: \(E2ESession.busybox)
                command: ["sh", "-c", "echo app >> /data/log; trap 'echo app-term >> /data/log; exit 0' TERM; sleep 600 & wait"]
                volumeMounts: [{name: data, mountPath: /data}]
            """)
        #expect(s.eventually(20) { s.phase("sidecar-hooks") == "Running" })
        #expect(s.eventually(10) { ((try? String(contentsOfFile: data + "/log", encoding: .utf8)) ?? "").contains("app") })
        #expect(s.run(["delete", "pod", "sidecar-hooks"]).status == 0)
        #expect((try? String(contentsOfFile: data + "/log", encoding: .utf8)) == "proxy-poststart\napp\napp-term\nproxy-prestop\n")
    }

    // MARK: The documentation's example

    /// "Attach Handlers to Container Lifecycle Events" (lifecycle-events.yaml), with busybox
    /// httpd for nginx: postStart writes /usr/share/message (busybox has no /usr/share: the hook
    /// makes it); preStop stops the server and waits for it, so the container ends before any
    /// signal. httpd runs under a shell, since pid 1 would ignore killall's SIGTERM (nginx
    /// handles its own `-s quit`).
    @Test func theDocumentationsLifecycleEventsExample() {
        let s = E2ESession()
        start(s, """
            apiVersion: v1
            kind: Pod
            metadata:
              name: lifecycle-demo
            spec:
              containers:
              - name: lifecycle-demo-container
                image: \(E2ESession.busybox)
                command: ["sh", "-c", "httpd -f -p 8080 & wait"]
                lifecycle:
                  postStart:
                    exec:
                      command: ["/bin/sh", "-c", "mkdir -p /usr/share && echo Hello from the postStart handler > /usr/share/message"]
                  preStop:
                    exec:
                      command: ["/bin/sh", "-c", "killall httpd; while killall -0 httpd; do sleep 1; done"]
            """)
        #expect(s.eventually(20) { s.phase("lifecycle-demo") == "Running" })
        let spec = ((s.pod("lifecycle-demo")?["spec"] as? [String: Any])?["containers"] as? [[String: Any]])?.first
        let preStop = (spec?["lifecycle"] as? [String: Any])?["preStop"] as? [String: Any]
        #expect((preStop?["exec"] as? [String: Any])?["command"] as? [String] == ["/bin/sh", "-c", "killall httpd; while killall -0 httpd; do sleep 1; done"])
        #expect(spec?["terminationMessagePath"] as? String == "/dev/termination-log")
        #expect(spec?["terminationMessagePolicy"] as? String == "File")
        let message = s.run(["exec", "lifecycle-demo", "--", "cat", "/usr/share/message"])
        #expect(message.out == "Hello from the postStart handler\n", "\(message.out) \(message.err)")
        let before = Date()
        #expect(s.run(["delete", "pod", "lifecycle-demo"]).status == 0)
        #expect(Date().timeIntervalSince(before) < 25, "httpd stopped by the hook, not by the 30 s grace period's SIGKILL")
        #expect(s.messages("lifecycle-demo", reason: "FailedPostStartHook").isEmpty)
    }
}
