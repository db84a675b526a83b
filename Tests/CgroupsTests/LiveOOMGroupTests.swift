import CShims
import Glibc
import Testing
@testable import Cgroups

extension LiveCgroups {
    /// The pipeline: `tail` buffering 100 MiB of zeros in a 20 MiB cgroup is OOM-killed;
    /// the shell around it would go on (and print "survived") unless the whole cgroup dies.
    static let oomPipeline = "head -c 104857600 /dev/zero | tail; sleep 2; echo survived"
    static let oomLimit: UInt64 = 20 << 20

    /// Pure cgroup v2 (Tests/v2vm): memory.oom.group=1 makes the kernel kill every process of the
    /// cgroup when one is OOM-killed.
    @Test(.enabled(if: isUnifiedHost && hostHasController("memory"), "needs cgroup v2 with the memory controller"))
    func oomGroupKillsTheWholeCgroupOnV2() throws {
        let resources = CgroupResources(memoryLimit: .value(Self.oomLimit), memorySwap: .value(Self.oomLimit),
                                        unified: ["memory.oom.group": "1"])
        try withCgroup("oom-group", resources: resources) { cgroup in
            #expect(cgroup.hasV2OOMGroup)
            #expect(fileText(cgroup.paths.v2! + "/memory.oom.group")?.trimmingCharacters() == "1")
            let hog = try shell(Self.oomPipeline)
            try cgroup.addProcess(hog.pid)
            hog.release()
            let output = hog.output()
            #expect(hog.wait() == .signal(SIGKILL), "\(output)")
            #expect(!output.contains("survived"), "\(output)")
            #expect(cgroup.oomKillCount() >= 1)
        }
    }

    /// v1 memory controller (this hybrid host): the OOM eventfd fires, the counter rises, and
    /// killAllIfOOMKilled takes the rest of the cgroup, as the supervisor's watch does.
    @Test(.enabled(if: !isUnifiedHost && hostLayout?.v1Hierarchies["memory"] != nil, "needs a v1 memory controller"))
    func v1OOMEventsLetTheCallerKillTheWholeCgroup() throws {
        let resources = CgroupResources(memoryLimit: .value(Self.oomLimit), memorySwap: .value(Self.oomLimit))
        try withCgroup("oom-v1", resources: resources) { cgroup in
            #expect(!cgroup.hasV2OOMGroup)
            #expect(!cgroup.killAllIfOOMKilled(since: 0), "nothing was OOM-killed yet")
            let fd = try #require(try cgroup.openV1OOMEvents())
            defer { close(fd) }
            let hog = try shell(Self.oomPipeline)
            try cgroup.addProcess(hog.pid)
            hog.release()
            var event = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            #expect(poll(&event, 1, 20_000) == 1, "the OOM eventfd fired")
            Cgroup.drainEventFD(fd)
            var killed = false
            for _ in 0..<100 where !killed {
                killed = cgroup.killAllIfOOMKilled(since: 0)
                if !killed { CgroupFS.sleepMs(10) }
            }
            #expect(killed)
            let output = hog.output()
            #expect(hog.wait() == .signal(SIGKILL), "\(output)")
            #expect(!output.contains("survived"), "\(output)")
        }
    }

    /// No v1 memory directory (no memory limit, or a v2 host): no OOM events to watch.
    @Test(.enabled(if: canCreateCgroups, "needs root and cgroups"))
    func noMemoryLimitNoV1Events() throws {
        try withCgroup("oom-none") { cgroup in
            let fd = try cgroup.openV1OOMEvents()
            #expect(fd == nil)
        }
    }
}
