/// A limit that is either a number or "no limit" ("max" in v2 files, -1 in v1 files).
public enum CgroupLimit: Sendable, Equatable, Hashable {
    case max
    case value(UInt64)

    /// OCI integers: negative means unlimited.
    public init(oci: Int64) {
        self = oci < 0 ? .max : .value(UInt64(oci))
    }

    var v2Text: String {
        switch self {
        case .max: return "max"
        case let .value(n): return String(n)
        }
    }

    var v1Text: String {
        switch self {
        case .max: return "-1"
        case let .value(n): return String(n)
        }
    }
}

/// The resources of one container's cgroup. nil (or an empty collection) leaves a setting as it
/// is; the fields follow OCI linux.resources and are translated per cgroup version on apply.
public struct CgroupResources: Sendable, Equatable {
    /// memory.max / memory.limit_in_bytes.
    public var memoryLimit: CgroupLimit?
    /// Soft limit: memory.low / memory.soft_limit_in_bytes.
    public var memoryReservation: CgroupLimit?
    /// OCI semantics: memory + swap together (v1 memory.memsw.limit_in_bytes). On v2 it becomes
    /// memory.swap.max = memorySwap - memoryLimit. Equal to memoryLimit means "no swap".
    public var memorySwap: CgroupLimit?
    /// OCI cpu.shares (2...262144); v2 gets the equivalent cpu.weight.
    public var cpuShares: UInt64?
    /// CFS bandwidth in microseconds per period: cpu.max / cpu.cfs_quota_us + cpu.cfs_period_us.
    public var cpuQuota: CgroupLimit?
    public var cpuPeriod: UInt64?
    /// cpuset lists ("0-3,6").
    public var cpusetCpus: String?
    public var cpusetMems: String?
    public var pidsLimit: CgroupLimit?
    /// The complete device rule list, applied over "deny all" (put DeviceRule.defaultAllowed in
    /// it for the usual container devices). nil leaves device access alone.
    public var devices: [DeviceRule]?
    /// OCI linux.resources.unified: raw cgroup v2 files ("memory.high": "100M"), v2 hosts only.
    public var unified: [String: String]

    public init(
        memoryLimit: CgroupLimit? = nil, memoryReservation: CgroupLimit? = nil, memorySwap: CgroupLimit? = nil,
        cpuShares: UInt64? = nil, cpuQuota: CgroupLimit? = nil, cpuPeriod: UInt64? = nil,
        cpusetCpus: String? = nil, cpusetMems: String? = nil, pidsLimit: CgroupLimit? = nil,
        devices: [DeviceRule]? = nil, unified: [String: String] = [:]
    ) {
        self.memoryLimit = memoryLimit
        self.memoryReservation = memoryReservation
        self.memorySwap = memorySwap
        self.cpuShares = cpuShares
        self.cpuQuota = cpuQuota
        self.cpuPeriod = cpuPeriod
        self.cpusetCpus = cpusetCpus
        self.cpusetMems = cpusetMems
        self.pidsLimit = pidsLimit
        self.devices = devices
        self.unified = unified
    }

    /// The v1 controllers these settings are written to (on hybrid hosts, the only hierarchies a
    /// container joins; device rules go to the v2 tree's BPF program there).
    public var v1Controllers: Set<String> {
        var c: Set<String> = []
        if memoryLimit != nil || memoryReservation != nil || memorySwap != nil { c.insert("memory") }
        if cpuShares != nil || cpuQuota != nil || cpuPeriod != nil { c.insert("cpu") }
        if cpusetCpus != nil || cpusetMems != nil { c.insert("cpuset") }
        if pidsLimit != nil { c.insert("pids") }
        return c
    }

    /// OCI shares to v2 weight: the standard linear map of [2, 262144] onto [1, 10000]
    /// (the formula runc and crun use, so a container gets the same weight under either).
    public static func cpuWeight(shares: UInt64) -> UInt64 {
        let clamped = Swift.min(Swift.max(shares, 2), 262_144)
        return 1 + ((clamped - 2) * 9999) / 262_142
    }

    /// memory.swap.max from the OCI memory+swap total. nil leaves the file alone.
    static func v2SwapMax(memory: CgroupLimit?, swap: CgroupLimit?) throws(CgroupError) -> CgroupLimit? {
        switch (memory, swap) {
        case (.max?, nil):
            return .max   // "memory unlimited" also lifts swap, as on v1
        case (_, nil):
            return nil
        case (_, .max?):
            return .max
        case let (.value(m)?, .value(s)?):
            guard s >= m else {
                throw .invalidResource("memorySwap (\(s)) must be at least memoryLimit (\(m)): it counts memory plus swap")
            }
            return .value(s - m)
        case (_, .value?):
            throw .invalidResource("memorySwap needs a memoryLimit: it counts memory plus swap")
        }
    }

    func validate() throws(CgroupError) {
        if case let .value(m)? = memoryLimit, case let .value(s)? = memorySwap, s < m {
            throw .invalidResource("memorySwap (\(s)) must be at least memoryLimit (\(m)): it counts memory plus swap")
        }
        if let shares = cpuShares, shares != 0, !(2...262_144).contains(shares) {
            throw .invalidResource("cpuShares \(shares) is outside 2...262144")
        }
        if let period = cpuPeriod, !(1000...1_000_000).contains(period) {
            throw .invalidResource("cpuPeriod \(period) is outside 1000...1000000 microseconds")
        }
        if case .value(0)? = cpuQuota {
            throw .invalidResource("cpuQuota 0 would stop the container; use max for no limit")
        }
        for rule in devices ?? [] { try rule.validate() }
        for key in unified.keys where key.contains("/") || !key.contains(".") || key.hasPrefix(".") {
            throw .invalidResource("unified key \"\(key)\" is not a cgroup file name")
        }
    }
}
