import Glibc
import Testing
@testable import Cgroups

extension LiveCgroups {
    /// A fork loop in a cgroup with pids.max 10 runs out of pids; the host does not.
    @Test(.enabled(if: hostHasController("pids"), "the host has no pids controller"))
    func pidsLimitStopsForks() throws {
        try withCgroup("pids", resources: CgroupResources(pidsLimit: .value(10))) { cgroup in
            // The shell exits at its first failed fork ("can't fork"); each success prints a count.
            let loop = try shell("i=0; while [ $i -lt 30 ]; do sleep 30 </dev/null >/dev/null 2>&1 & i=$((i+1)); echo $i; done; echo finished")
            try cgroup.addProcess(loop.pid)
            loop.release()
            let exit = loop.wait()
            let started = try cgroup.pids().count
            let lines = loop.output(timeoutMs: 100).split(separator: "\n")
            let forked = lines.compactMap { Int($0) }.max() ?? 0
            #expect(!lines.contains("finished"), "the loop should not have completed: \(lines)")
            #expect(forked < 10, "\(forked) forks succeeded under pids.max 10")
            #expect(forked >= 1)
            #expect(exit != .code(0))
            #expect(started <= 10)
            #expect(pidsMaxEvents(cgroup) >= 1)

            // The host can still fork.
            let outside = try Child(["/bin/true"])
            #expect(outside.wait() == .code(0))
        }
    }

    /// A process that touches 100 MiB in a 20 MiB cgroup is OOM-killed and counted; a normal exit
    /// counts nothing.
    @Test(.enabled(if: hostHasController("memory"), "the host has no memory controller"))
    func memoryLimitOOMKills() throws {
        let limit: UInt64 = 20 << 20
        // memory+swap = memory: no swap either (v1 memsw / v2 memory.swap.max 0), when accounted.
        let resources = CgroupResources(memoryLimit: .value(limit), memorySwap: .value(limit))
        try withCgroup("mem-ok", resources: resources) { cgroup in
            let quiet = try shell("exit 0")
            try cgroup.addProcess(quiet.pid)
            quiet.release()
            #expect(quiet.wait() == .code(0))
            #expect(cgroup.oomKillCount() == 0)
        }
        try withCgroup("mem-oom", resources: resources) { cgroup in
            let hog = try shell("exec dd if=/dev/zero of=/dev/null bs=100M count=1")
            try cgroup.addProcess(hog.pid)
            hog.release()
            let exit = hog.wait()
            #expect(exit == .signal(SIGKILL), "dd: \(hog.output(timeoutMs: 100))")
            #expect(cgroup.oomKillCount() >= 1)
        }
    }

    @Test func cpuAndPidsSettingsReachTheFiles() throws {
        let wantsCPU = hostHasController("cpu")
        let resources = CgroupResources(
            cpuShares: wantsCPU ? 1024 : nil,
            cpuQuota: wantsCPU ? .value(50_000) : nil, cpuPeriod: wantsCPU ? 100_000 : nil,
            pidsLimit: hostHasController("pids") ? .value(42) : nil)
        try withCgroup("cpu", resources: resources) { cgroup in
            if cgroup.paths.usesV2Resources, let dir = cgroup.paths.v2 {
                if wantsCPU {
                    #expect(fileText(dir + "/cpu.max") == "50000 100000")
                    #expect(fileText(dir + "/cpu.weight") == "39")
                }
                if resources.pidsLimit != nil { #expect(fileText(dir + "/pids.max") == "42") }
                // Lifting the quota keeps the period.
                try cgroup.apply(CgroupResources(cpuQuota: wantsCPU ? .max : nil))
                if wantsCPU { #expect(fileText(dir + "/cpu.max") == "max 100000") }
            } else {
                if wantsCPU, let cpu = cgroup.paths.v1["cpu"] {
                    #expect(fileText(cpu + "/cpu.cfs_quota_us") == "50000")
                    #expect(fileText(cpu + "/cpu.cfs_period_us") == "100000")
                    #expect(fileText(cpu + "/cpu.shares") == "1024")
                    try cgroup.apply(CgroupResources(cpuQuota: .max))
                    #expect(fileText(cpu + "/cpu.cfs_quota_us") == "-1")
                }
                if let pids = cgroup.paths.v1["pids"] { #expect(fileText(pids + "/pids.max") == "42") }
                if let cpuset = cgroup.paths.v1["cpuset"] {
                    // Copied from the parent so that tasks can join.
                    #expect(fileText(cpuset + "/cpuset.cpus")?.isEmpty == false)
                    #expect(fileText(cpuset + "/cpuset.mems")?.isEmpty == false)
                }
            }
        }
    }

    /// A write the kernel refuses is reported with the file, the value, the cgroup and errno.
    @Test func refusedWriteNamesTheFile() throws {
        try withCgroup("refused") { cgroup in
            if cgroup.paths.usesV2Resources, let dir = cgroup.paths.v2 {
                guard hostHasController("pids") else { return }
                let error = #expect(throws: CgroupError.self) {
                    try cgroup.apply(CgroupResources(unified: ["pids.max": "lots"]))
                }
                #expect(error?.description == "cannot set pids.max to lots in \(dir): Invalid argument")
            } else {
                guard let dir = cgroup.paths.v1["cpuset"] else { return }
                let error = #expect(throws: CgroupError.self) {
                    try cgroup.apply(CgroupResources(cpusetCpus: "100000"))
                }
                #expect(error?.description.hasPrefix("cannot set cpuset.cpus to 100000 in \(dir): ") == true)
                #expect(throws: CgroupError.self) { try cgroup.apply(CgroupResources(unified: ["pids.max": "1"])) }
            }
        }
    }

    private func pidsMaxEvents(_ cgroup: Cgroup) -> UInt64 {
        let dir = cgroup.paths.v1["pids"] ?? cgroup.paths.v2 ?? "/nonexistent"
        return fileText(dir + "/pids.events").flatMap { CgroupFS.keyedValue("max", in: $0) } ?? 0
    }
}
