import Foundation
import Testing

/// Termination messages: the Kubernetes e2e cases of test/e2e/common/node/runtime.go ("Container
/// Runtime blackbox test when running a container with a new image ... termination message"),
/// read back from `get pods -o json` and `describe pod`, and an attack on the host side of the
/// file.
@Suite(.enabled(if: geteuid() == 0, "needs root: pods run real containers"), .serialized)
struct TerminationMessageE2ETests {
    typealias P = ProbeE2ETests

    /// Runs a restartPolicy Never pod until it ends; returns `state.terminated`.
    func terminated(_ s: E2ESession, _ name: String, script: String, container: String = "") -> [String: Any]? {
        let yaml = P.pod(name, script: script, spec: "restartPolicy: Never", container: container)
        let r = s.run(["run", "-d", "-f", s.write(yaml)])
        #expect(r.status == 0, "\(r.err)")
        #expect(s.eventually(20) { ["Succeeded", "Failed"].contains(s.phase(name) ?? "") })
        return (s.containerStatus(name)?["state"] as? [String: Any])?["terminated"] as? [String: Any]
    }

    /// "should report termination message if TerminationMessagePath is set as non-root user and
    /// at a non-default path".
    @Test func fromAFileAtANonDefaultPathAsNonRoot() {
        let s = E2ESession()
        let t = terminated(s, "tm-nonroot", script: "/bin/echo -n DONE > /dev/termination-custom-log", container: """
            terminationMessagePath: /dev/termination-custom-log
            securityContext: {runAsUser: 1000}
            """)
        #expect(t?["message"] as? String == "DONE", "\(String(describing: t))")
        let described = s.run(["describe", "pod", "tm-nonroot"]).out.split(separator: "\n")
        #expect(described.contains { $0.contains("Message:") && $0.hasSuffix(" DONE") }, "\(described)")
    }

    /// "should report termination message if TerminationMessagePath is set".
    @Test func fromTheDefaultFile() {
        let s = E2ESession()
        let t = terminated(s, "tm-default", script: "/bin/echo -n DONE > /dev/termination-log; exit 1")
        #expect(t?["message"] as? String == "DONE")
        #expect(t?["exitCode"] as? Int == 1)
    }

    /// "should report termination message from log output if TerminationMessagePolicy
    /// FallbackToLogsOnError is set".
    @Test func fromTheLogOnError() {
        let s = E2ESession()
        let t = terminated(s, "tm-fallback", script: "/bin/echo -n DONE; /bin/false",
                           container: "terminationMessagePolicy: FallbackToLogsOnError")
        #expect(t?["message"] as? String == "DONE", "\(String(describing: t))")
    }

    /// "should report termination message as empty when pod succeeds and
    /// TerminationMessagePolicy FallbackToLogsOnError is set".
    @Test func emptyOnSuccessWithFallback() {
        let s = E2ESession()
        let t = terminated(s, "tm-success", script: "/bin/echo -n DONE; /bin/true",
                           container: "terminationMessagePolicy: FallbackToLogsOnError")
        #expect(t != nil)
        #expect(t?["message"] == nil, "\(String(describing: t))")
    }

    /// "should report termination message from file when pod succeeds and
    /// TerminationMessagePolicy FallbackToLogsOnError is set".
    @Test func fromTheFileOnSuccessWithFallback() {
        let s = E2ESession()
        let t = terminated(s, "tm-file", script: "/bin/echo -n OK > /dev/termination-log; /bin/true",
                           container: "terminationMessagePolicy: FallbackToLogsOnError")
        #expect(t?["message"] as? String == "OK")
    }

    /// The log fallback keeps the last 80 lines, at most 2048 bytes of them; the file its last
    /// 4096 bytes.
    @Test func bothAreCutToTheKubeletsLimits() {
        let s = E2ESession()
        let log = terminated(s, "tm-log-limit", script: "i=0; while [ $i -lt 200 ]; do echo line$i; i=$((i+1)); done; exit 2",
                             container: "terminationMessagePolicy: FallbackToLogsOnError")
        let lines = (log?["message"] as? String ?? "").split(separator: "\n")
        #expect(lines.count == 80 && lines.first == "line120" && lines.last == "line199", "\(lines.prefix(2)) … \(lines.suffix(2))")
        let file = terminated(s, "tm-file-limit", script: "yes aaaaaaa | head -c 5000 > /dev/termination-log; echo -n END >> /dev/termination-log")
        let message = file?["message"] as? String ?? ""
        #expect(message.utf8.count == 4096 && message.hasSuffix("END"), "\(message.utf8.count) bytes")
    }

    /// The previous instance's message is in lastState once the container restarted.
    @Test func lastStateKeepsThePreviousMessage() {
        let s = E2ESession()
        let yaml = P.pod("tm-last", script: "echo -n gone-$(date +%s%N) > /dev/termination-log; exit 1")
        #expect(s.run(["run", "-d", "-f", s.write(yaml), "--backoff-initial", "1s"]).status == 0)
        #expect(s.eventually(20) { s.restarts("tm-last") >= 1 })
        let last = (s.containerStatus("tm-last")?["lastState"] as? [String: Any])?["terminated"] as? [String: Any]
        #expect((last?["message"] as? String)?.hasPrefix("gone-") == true, "\(String(describing: last))")
    }

    /// Attack: the container swaps its termination log for a symlink to a host file (or tries
    /// to: the bind mount makes the path busy), and one with CAP_SYS_ADMIN and no seccomp filter
    /// unmounts it first and then puts the symlink there (`privileged` needs capabilities root
    /// lacks on this VM). The file is read on the host side of the bind mount, never through
    /// the container's path, and a symlink is not followed, so no host file's content can become
    /// the message.
    @Test func aContainerCannotMakeTheMessageAHostFile() throws {
        let s = E2ESession()
        let secret = s.dir + "/host-secret"
        try "HOSTSECRET\n".write(toFile: secret, atomically: true, encoding: .utf8)
        let swap = "ln -sf \(secret) /tmp/x; mv -f /tmp/x /tmp/msg; rm -f /tmp/msg; ln -sf \(secret) /tmp/msg"
        let fields = """
            terminationMessagePath: /tmp/msg
            terminationMessagePolicy: FallbackToLogsOnError
            """
        let plain = terminated(s, "tm-attack", script: swap + "; exit 1", container: fields)
        let privileged = terminated(s, "tm-attack-priv", script: "umount /tmp/msg && " + swap + " && readlink /tmp/msg; exit 1",
                                    container: fields + "\nsecurityContext: {capabilities: {add: [SYS_ADMIN]}, seccompProfile: {type: Unconfined}}")
        for t in [plain, privileged] {
            let message = t?["message"] as? String ?? ""
            #expect(t?["exitCode"] as? Int == 1)
            #expect(!message.contains("HOSTSECRET"), "\(message)")
        }
        // The second container did put the symlink in place (its log says where it points).
        #expect((privileged?["message"] as? String ?? "").contains(secret), "\(String(describing: privileged))")
    }
}
