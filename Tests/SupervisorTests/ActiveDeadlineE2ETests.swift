import Foundation
import Testing

/// `activeDeadlineSeconds` (pkg/kubelet/active_deadline.go). test/e2e/common/node/pods.go's
/// "should allow activeDeadlineSeconds to be updated" is about the API server; here the node's
/// half: a pod whose deadline passes fails with the kubelet's reason, message and event, its
/// containers are stopped (preStop first) and none starts again.
@Suite(.enabled(if: geteuid() == 0, "needs root: pods run real containers"), .serialized)
struct ActiveDeadlineE2ETests {
    typealias P = ProbeE2ETests

    @Test func aPodPastItsDeadlineFailsForGood() throws {
        let s = E2ESession()
        let data = s.dir + "/deadline-data"
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
        let yaml = P.pod("deadline", script: P.waitForTerm, spec: """
            activeDeadlineSeconds: 2
            terminationGracePeriodSeconds: 5
            volumes:
            - name: data
              hostPath: {path: \(data)}
            """, container: """
            volumeMounts:
            - {name: data, mountPath: /data}
            lifecycle:
              preStop:
                exec: {command: ["sh", "-c", "echo prestop > /data/log"]}
            """)
        #expect(s.run(["run", "-d", "-f", s.write(yaml), "--backoff-initial", "1s"]).status == 0)
        #expect(s.eventually(20) { s.phase("deadline") == "Failed" })
        let status = s.pod("deadline")?["status"] as? [String: Any]
        #expect(status?["reason"] as? String == "DeadlineExceeded")
        #expect((s.pod("deadline")?["spec"] as? [String: Any])?["activeDeadlineSeconds"] as? Int == 2)
        #expect(status?["message"] as? String == "Pod was active on the node longer than the specified deadline")
        #expect(s.messages("deadline", reason: "DeadlineExceeded") == ["Pod was active on the node longer than the specified deadline"])
        #expect(s.eventually(10) {
            ((s.containerStatus("deadline")?["state"] as? [String: Any])?["terminated"] as? [String: Any])?["exitCode"] as? Int == 143
        }, "stopped with SIGTERM")
        #expect((try? String(contentsOfFile: data + "/log", encoding: .utf8)) == "prestop\n", "preStop ran")
        #expect(s.throughout(3) { s.restarts("deadline") == 0 && s.phase("deadline") == "Failed" }, "restartPolicy Always does not restart it")
        #expect(s.run(["describe", "pod", "deadline"]).out.contains("DeadlineExceeded"))
    }

    /// A pod that finishes before its deadline keeps its own phase.
    @Test func aPodThatEndsInTimeKeepsItsPhase() {
        let s = E2ESession()
        let yaml = P.pod("deadline-ok", script: "exit 0", spec: "restartPolicy: Never\nactiveDeadlineSeconds: 2")
        #expect(s.run(["run", "-d", "-f", s.write(yaml)]).status == 0)
        #expect(s.eventually(20) { s.phase("deadline-ok") == "Succeeded" })
        #expect(s.throughout(3) { s.phase("deadline-ok") == "Succeeded" })
        #expect(s.messages("deadline-ok", reason: "DeadlineExceeded").isEmpty)
    }

    /// The deadline counts from status.startTime, not from when a daemon took the pod over: a
    /// daemon killed with SIGKILL and started again still fails the pod on time, and a failed
    /// pod taken over stays failed and stopped.
    @Test func theDeadlineOutlivesADaemonKill() {
        let s = E2ESession()
        let yaml = P.pod("deadline-adopted", script: P.waitForTerm, spec: "activeDeadlineSeconds: 4\nterminationGracePeriodSeconds: 2")
        #expect(s.run(["run", "-d", "-f", s.write(yaml), "--backoff-initial", "1s"]).status == 0)
        #expect(s.eventually(10) { s.phase("deadline-adopted") == "Running" })
        #expect(s.killDaemon() != nil)
        #expect(s.startDaemon() != nil)
        #expect(s.eventually(15) { s.phase("deadline-adopted") == "Failed" })
        #expect(s.messages("deadline-adopted", reason: "DeadlineExceeded").count == 1)
        #expect(s.killDaemon() != nil)
        #expect(s.startDaemon() != nil)
        #expect(s.throughout(3) { s.phase("deadline-adopted") == "Failed" && s.restarts("deadline-adopted") == 0 })
        #expect(s.messages("deadline-adopted", reason: "DeadlineExceeded").count == 1)
    }
}
