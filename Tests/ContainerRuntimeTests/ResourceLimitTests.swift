import ContainerRuntime
import Foundation
import Testing

/// cgroup limits on real containers, on whatever layout this host has (hybrid here; the pure
/// v2 layout is covered by Tests/v2vm).
@Suite(.enabled(if: TestSupport.isRoot, TestSupport.rootReason), .serialized)
struct ResourceLimitTests {
    @Test func aContainerOverItsMemoryLimitIsOOMKilledAndReportedSo() throws {
        let b = TestBundle(args: ["sh", "-c", "head -c 100m /dev/zero | tail > /dev/null; exit $?"]) {
            $0.linux?.resources = OCISpec.Resources(devices: [OCISpec.DeviceCgroupRule(allow: false, access: "rwm")],
                                                    memory: OCISpec.Memory(limit: 20 << 20, swap: 20 << 20))
        }
        let r = b.run()
        #expect(r.status == 137, "\(r.stderr)")
        #expect(r.stderr.contains("was OOM-killed"), "\(r.stderr)")

        // Through the library: the verdict comes from the cgroup's oom_kill counter.
        let c = try Container.start(id: TestSupport.uniqueID(), spec: b.spec, bundle: b.dir, options: LaunchOptions(dieWithParent: false))
        let status = c.wait()
        try c.destroy()
        #expect(status.oomKilled)
    }

    @Test func anExitOf137WithoutTheOOMKillerIsNotOOMKilled() throws {
        let b = TestBundle(args: ["sh", "-c", "exit 137"]) { $0.linux?.resources?.memory = OCISpec.Memory(limit: 20 << 20) }
        let c = try Container.start(id: TestSupport.uniqueID(), spec: b.spec, bundle: b.dir, options: LaunchOptions(dieWithParent: false))
        let status = c.wait()
        try c.destroy()
        #expect(status.code == 137)
        #expect(!status.oomKilled)
    }

    @Test func aPidsLimitStopsAForkBomb() throws {
        // An inner shell forks 200 sleeps against a limit of 16 and dies when fork fails; the
        // outer one then counts what runs with builtins only, since no fork is left for ps.
        let script = "sh -c 'for i in $(seq 200); do sleep 30 & done'; set -- /proc/[0-9]*; echo $#"
        let b = TestBundle(args: ["sh", "-c", script]) { $0.linux?.resources?.pids = OCISpec.Pids(limit: 16) }
        let id = TestSupport.uniqueID("bomb")
        let r = b.run(id: id)
        let processes = Int(r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 999
        #expect(processes <= 17, "pids.max 16 should cap the container: \(r.stdout)")
        #expect(r.stderr.contains("can't fork") || r.stderr.contains("Resource temporarily unavailable"), "\(r.stderr)")
        // The host is fine: we can still start processes, and nothing of the bomb survived.
        #expect(TestSupport.sh("echo ok").stdout == "ok\n")
        #expect(!CgroupDirs.all().contains { $0.hasSuffix("/" + id) }, "the container's cgroup is gone, with every sleep in it")
    }
}
