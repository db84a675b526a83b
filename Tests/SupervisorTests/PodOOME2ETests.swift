import Foundation
import Testing

/// End-to-end: a container that loses one process to the OOM killer dies whole and shows
/// `OOMKilled`, as under the kubelet on cgroup v2 (memory.oom.group); on this hybrid host
/// through the v1 memory cgroup's OOM events, on a pure v2 host through the kernel.
@Suite(.enabled(if: geteuid() == 0, "needs root: pods run real containers"), .serialized)
struct PodOOME2ETests {
    /// The issue's case: in a 20Mi container, `tail` buffering 100M of zeros is OOM-killed while
    /// the shell would go on; the whole container is killed instead, restarted, and its last
    /// state says OOMKilled with exit code 137.
    @Test func anOOMKillKillsTheWholeContainer() throws {
        let s = E2ESession()
        let yaml = """
            apiVersion: v1
            kind: Pod
            metadata:
              name: secoom-oom
            spec:
              containers:
              - name: hog
                image: \(E2ESession.busybox)
                command: ["sh", "-c", "echo start; head -c 104857600 /dev/zero | tail; echo survived; exec sleep 600"]
                resources:
                  limits:
                    memory: 20Mi
            """
        let started = s.run(["run", "-d", "-f", s.write(yaml), "--backoff-initial", "1s"])
        #expect(started.status == 0, "\(started.err)")
        var last: [String: Any] = [:]
        #expect(s.eventually(40) {
            last = (s.containerStatus("secoom-oom")?["lastState"] as? [String: Any])?["terminated"] as? [String: Any] ?? [:]
            return s.restarts("secoom-oom") >= 1 && !last.isEmpty
        }, "\(s.containerStatus("secoom-oom") ?? [:])")
        #expect(last["reason"] as? String == "OOMKilled", "\(last)")
        #expect(last["exitCode"] as? Int == 137, "\(last)")
        let previous = s.run(["logs", "secoom-oom", "--previous"]).out
        #expect(previous.contains("start"), "\(previous)")
        #expect(!previous.contains("survived"), "\(previous)")
        let described = s.run(["describe", "pod", "secoom-oom"]).out
        #expect(described.contains("OOMKilled"), "\(described)")
    }
}
