import Glibc

/// Resources through cgroup v1 controller files (hybrid and legacy hosts).
enum V1Resources {
    static func apply(_ r: CgroupResources, to dirs: [String: String]) throws(CgroupError) {
        func dir(_ controller: String, for setting: String) throws(CgroupError) -> String {
            guard let dir = dirs[controller] else { throw .controllerMissing(controller: controller, needed: setting) }
            return dir
        }

        if r.memoryLimit != nil || r.memorySwap != nil {
            try setMemoryAndSwap(r.memoryLimit, r.memorySwap, in: dir("memory", for: "a memory limit"))
        }
        if let soft = r.memoryReservation {
            try CgroupFS.write(soft.v1Text, to: "memory.soft_limit_in_bytes", in: dir("memory", for: "memoryReservation"))
        }
        if r.cpuQuota != nil || r.cpuPeriod != nil {
            try setCFSBandwidth(quota: r.cpuQuota, period: r.cpuPeriod, in: dir("cpu", for: "a CPU quota"))
        }
        if let shares = r.cpuShares, shares != 0 {
            try CgroupFS.write(String(shares), to: "cpu.shares", in: dir("cpu", for: "cpuShares"))
        }
        if let cpus = r.cpusetCpus {
            try CgroupFS.write(cpus, to: "cpuset.cpus", in: dir("cpuset", for: "cpusetCpus"))
        }
        if let mems = r.cpusetMems {
            try CgroupFS.write(mems, to: "cpuset.mems", in: dir("cpuset", for: "cpusetMems"))
        }
        if let pids = r.pidsLimit {
            // v1 pids.max takes "max", not -1.
            try CgroupFS.write(pids.v2Text, to: "pids.max", in: dir("pids", for: "a pids limit"))
        }
        if let rules = r.devices {
            let devices = try dir("devices", for: "device rules")
            // Start from "deny everything", then replay the rules in order: the kernel's own list
            // editing gives exactly the v1 semantics.
            try CgroupFS.write("a", to: "devices.deny", in: devices)
            for rule in rules {
                try CgroupFS.write(rule.v1Line, to: rule.allow ? "devices.allow" : "devices.deny", in: devices)
            }
        }
    }

    /// The kernel keeps memsw >= limit at every step, so the order of the two writes depends on
    /// whether the limits go up or down (runc's rule).
    private static func setMemoryAndSwap(_ memory: CgroupLimit?, _ swap: CgroupLimit?, in dir: String) throws(CgroupError) {
        // "memory unlimited" with no swap setting lifts swap too, as on v2.
        let swap = swap ?? (memory == .max ? .max : nil)
        let swapFile = "memory.memsw.limit_in_bytes"
        // Without swap accounting (no memsw file) a "no swap" or "unlimited" request needs no write.
        let writeSwap = swap.map { s in
            CgroupFS.exists(CgroupFS.join(dir, swapFile)) || !(s == .max || s == memory)
        } ?? false

        guard let memory, let swap, writeSwap else {
            if let memory { try CgroupFS.write(memory.v1Text, to: "memory.limit_in_bytes", in: dir) }
            if let swap, writeSwap { try CgroupFS.write(swap.v1Text, to: swapFile, in: dir) }
            return
        }
        let current = UInt64(try CgroupFS.read(CgroupFS.join(dir, "memory.limit_in_bytes"))
            .filter { !$0.isWhitespace }) ?? UInt64.max
        let swapFirst: Bool
        switch swap {
        case .max: swapFirst = true
        case let .value(s): swapFirst = current < s
        }
        if swapFirst {
            try CgroupFS.write(swap.v1Text, to: swapFile, in: dir)
            try CgroupFS.write(memory.v1Text, to: "memory.limit_in_bytes", in: dir)
        } else {
            try CgroupFS.write(memory.v1Text, to: "memory.limit_in_bytes", in: dir)
            try CgroupFS.write(swap.v1Text, to: swapFile, in: dir)
        }
    }

    /// A period shorter than the current one can be refused (EINVAL) while the old quota is in
    /// place; then set the quota first and the period after it (runc's rule).
    private static func setCFSBandwidth(quota: CgroupLimit?, period: UInt64?, in dir: String) throws(CgroupError) {
        var periodPending = false
        if let period {
            let e = CgroupFS.writeErrno(String(period), to: CgroupFS.join(dir, "cpu.cfs_period_us"))
            if e == EINVAL && quota != nil {
                periodPending = true
            } else if e != 0 {
                throw .write(file: "cpu.cfs_period_us", value: String(period), dir: dir, errno: e)
            }
        }
        if let quota {
            try CgroupFS.write(quota.v1Text, to: "cpu.cfs_quota_us", in: dir)
        }
        if periodPending, let period {
            try CgroupFS.write(String(period), to: "cpu.cfs_period_us", in: dir)
        }
    }
}
