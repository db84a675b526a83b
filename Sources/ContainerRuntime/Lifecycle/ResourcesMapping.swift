import Cgroups

extension CgroupResources {
    /// linux.resources of config.json in the cgroup library's terms. Device rules follow runc:
    /// the config's rules, then the standard devices every container may use. With no
    /// linux.resources at all the container still gets "deny all + standard devices", so that
    /// CAP_MKNOD never reaches a host disk.
    init(oci r: OCISpec.Resources?, devices: [OCISpec.Device] = []) {
        self.init()
        if let m = r?.memory {
            memoryLimit = m.limit.map(CgroupLimit.init(oci:))
            memoryReservation = m.reservation.map(CgroupLimit.init(oci:))
            memorySwap = m.swap.map(CgroupLimit.init(oci:))
        }
        if let c = r?.cpu {
            cpuShares = c.shares
            cpuQuota = c.quota.map(CgroupLimit.init(oci:))
            cpuPeriod = c.period
            cpusetCpus = c.cpus
            cpusetMems = c.mems
        }
        if let p = r?.pids { pidsLimit = p.limit > 0 ? .value(UInt64(p.limit)) : .max }
        unified = r?.unified ?? [:]
        var rules: [DeviceRule] = (r?.devices ?? []).map { d in
            let kind: DeviceRule.Kind = d.type == "c" ? .char : d.type == "b" ? .block : .all
            return DeviceRule(allow: d.allow, type: kind, major: d.major, minor: d.minor,
                              access: d.access.flatMap(DeviceRule.Access.init) ?? .all)
        }
        if rules.first.map({ !($0.type == .all && !$0.allow) }) ?? true {
            rules.insert(DeviceRule(allow: false, type: .all), at: 0)
        }
        rules.append(contentsOf: DeviceRule.defaultAllowed)
        // Devices the config creates in /dev are usable in full, as runc allows them.
        for d in devices where d.type == "c" || d.type == "b" || d.type == "u" {
            rules.append(DeviceRule(allow: true, type: d.type == "b" ? .block : .char, major: d.major, minor: d.minor))
        }
        self.devices = rules
    }
}
