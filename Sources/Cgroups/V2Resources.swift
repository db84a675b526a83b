import CShims
import Glibc

/// Resources through cgroup v2 files, and device access through a BPF program.
enum V2Resources {
    static func apply(_ r: CgroupResources, to dir: String) throws(CgroupError) {
        // Swap before memory.max, as runc does: lowering both at once must not trip the kernel's
        // check of the new memory.max against current usage plus the old swap allowance.
        if let swap = try CgroupResources.v2SwapMax(memory: r.memoryLimit, swap: r.memorySwap) {
            // Without swap accounting the file does not exist; "unlimited" or "none" then needs no
            // write (with no swap there is nothing to limit).
            let needless = swap == .max || swap == .value(0)
            if !needless || CgroupFS.exists(CgroupFS.join(dir, "memory.swap.max")) {
                try CgroupFS.write(swap.v2Text, to: "memory.swap.max", in: dir)
            }
        }
        if let limit = r.memoryLimit {
            try CgroupFS.write(limit.v2Text, to: "memory.max", in: dir)
        }
        if let low = r.memoryReservation {
            try CgroupFS.write(low.v2Text, to: "memory.low", in: dir)
        }
        if let shares = r.cpuShares, shares != 0 {
            try CgroupFS.write(String(CgroupResources.cpuWeight(shares: shares)), to: "cpu.weight", in: dir)
        }
        if r.cpuQuota != nil || r.cpuPeriod != nil {
            // "$quota $period"; a missing period keeps the current one.
            var value = (r.cpuQuota ?? .max).v2Text
            if let period = r.cpuPeriod { value += " \(period)" }
            try CgroupFS.write(value, to: "cpu.max", in: dir)
        }
        if let cpus = r.cpusetCpus {
            try CgroupFS.write(cpus, to: "cpuset.cpus", in: dir)
        }
        if let mems = r.cpusetMems {
            try CgroupFS.write(mems, to: "cpuset.mems", in: dir)
        }
        if let pids = r.pidsLimit {
            try CgroupFS.write(pids.v2Text, to: "pids.max", in: dir)
        }
        for (file, value) in r.unified.sorted(by: { $0.key < $1.key }) {
            try CgroupFS.write(value, to: file, in: dir)
        }
        if let rules = r.devices {
            try attachDeviceProgram(rules, to: dir)
        }
    }

    /// Loads the rules as a BPF_PROG_TYPE_CGROUP_DEVICE program and attaches it (replacing the
    /// previous one). The attachment keeps the program alive, so its fd is closed here.
    static func attachDeviceProgram(_ rules: [DeviceRule], to dir: String) throws(CgroupError) {
        // BPF_PROG_ATTACH needs a real fd: O_PATH fds are refused.
        let dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dirfd < 0 { throw .open(path: dir, errno: errno) }
        defer { close(dirfd) }
        let cRules = rules.map(\.cRule)
        let result = cRules.withUnsafeBufferPointer { buffer in
            sl_devices_bpf_attach(dirfd, buffer.baseAddress, UInt32(buffer.count))
        }
        if result < 0 { throw .deviceProgram(path: dir, errno: -result) }
        close(result)
    }
}
