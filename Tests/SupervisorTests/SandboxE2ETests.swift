import Foundation
import Testing

/// End-to-end: a pod whose sandbox (pause process) dies gets a new one, as the kubelet does: the
/// old CNI attachment is released, a new sandbox with a new id gets a network, the containers
/// start again in it.
@Suite(.enabled(if: geteuid() == 0, "needs root: pods run real containers in network namespaces"), .serialized)
struct SandboxE2ETests {
    static func record(_ s: E2ESession, _ pod: String) -> [String: Any]? {
        guard let data = FileManager.default.contents(atPath: s.root + "/pods/\(pod)/pod.json") else { return nil }
        return (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
    }

    static func network(_ s: E2ESession, _ pod: String) -> [String: Any]? { record(s, pod)?["network"] as? [String: Any] }

    static func listing(_ path: String) -> [String] { ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted() }

    @Test func aDeadSandboxIsReplacedAndItsNetworkReleased() throws {
        let s = E2ESession()
        let started = s.run(["run", "-d", "--backoff-initial", "1s", "-f", s.write("""
            apiVersion: v1
            kind: Pod
            metadata:
              name: sb
            spec:
              terminationGracePeriodSeconds: 1
              containers:
              - name: c
                image: \(E2ESession.busybox)
                command: ["sleep", "600"]
            """)])
        try #require(started.status == 0, "\(started.err)")
        let pause = try #require((Self.record(s, "sb")?["sandboxPID"] as? NSNumber)?.int32Value)
        let oldID = try #require(Self.network(s, "sb")?["sandboxID"] as? String)
        let oldIP = try #require((Self.network(s, "sb")?["podIPs"] as? [String])?.first)
        #expect(Self.listing(s.root + "/networks") == ["\(oldID).json"])

        kill(pause, SIGKILL)
        let replaced = s.eventually(20) {
            guard let id = Self.network(s, "sb")?["sandboxID"] as? String, id != oldID else { return false }
            return (s.containerStatus("sb")?["state"] as? [String: Any])?["running"] != nil
        }
        #expect(replaced, "a new sandbox and the container running again")
        let newID = try #require(Self.network(s, "sb")?["sandboxID"] as? String)
        let newIP = try #require((Self.network(s, "sb")?["podIPs"] as? [String])?.first)
        #expect(s.events("sb").contains { $0.reason == "SandboxChanged" })
        #expect(s.restarts("sb") >= 1)
        // The old attachment, pin and lease are gone; only the new sandbox's are kept.
        #expect(Self.listing(s.root + "/networks") == ["\(newID).json"])
        #expect(Self.listing(s.root + "/netns") == [newID])
        let leases = Self.listing(s.root + "/cni/ipam/swiftlet").filter { $0.first?.isNumber == true && !$0.hasPrefix("last") }
        #expect(leases == [newIP], "old lease \(oldIP) released")
        // The container runs in the new namespace: its eth0 has the new IP.
        let addr = s.run(["exec", "sb", "--", "ip", "-o", "-4", "addr", "show", "eth0"]).out
        #expect(addr.contains(newIP + "/"), "\(addr)")

        #expect(s.run(["delete", "pod", "sb", "--grace-period", "1"]).status == 0)
        #expect(Self.listing(s.root + "/networks").isEmpty)
        #expect(Self.listing(s.root + "/netns").isEmpty)
    }
}
