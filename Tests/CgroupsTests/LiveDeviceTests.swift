import CShims
import Glibc
import Testing
@testable import Cgroups

/// Device access from a process inside the cgroup: v1 devices.allow/deny on hybrid hosts, the
/// BPF_PROG_TYPE_CGROUP_DEVICE program on pure v2 hosts (run in Tests/v2vm).
extension LiveCgroups {
    static var hasDeviceControl: Bool {
        isUnifiedHost || hostLayout?.v1Hierarchies["devices"] != nil
    }

    /// Opens /dev/null for reading, for writing and for both at once (O_RDWR asks for "rw" in one
    /// check), and /dev/kmsg (1:11, not in the default list) for reading; says what worked.
    static let probe = """
        cat /dev/null && echo read-null-ok
        (echo x > /dev/null) 2>&1 && echo write-null-ok || echo write-null-denied
        (exec 3<>/dev/null) 2>&1 && echo rdwr-null-ok || echo rdwr-null-denied
        dd if=/dev/kmsg of=/dev/null count=0 2>&1 && echo kmsg-ok || echo kmsg-denied
        """

    private func probeDevices(_ rules: [DeviceRule]) throws -> String {
        try withCgroup("dev", resources: CgroupResources(devices: rules)) { try probe(in: $0) }
    }

    private func probe(in cgroup: Cgroup) throws -> String {
        let child = try shell(Self.probe)
        try cgroup.addProcess(child.pid)
        child.release()
        let out = child.output()
        _ = child.wait()
        return out
    }

    /// The runtime's usual list: deny all, then the standard devices.
    static let containerRules = [DeviceRule(allow: false, type: .all)] + DeviceRule.defaultAllowed

    @Test(.enabled(if: hasDeviceControl, "the host has no device controller"))
    func defaultDevicesAllowedOthersDenied() throws {
        let out = try probeDevices(Self.containerRules)
        #expect(out.contains("read-null-ok"), "\(out)")
        #expect(out.contains("write-null-ok"), "\(out)")
        #expect(out.contains("rdwr-null-ok"), "\(out)")
        #expect(out.contains("kmsg-denied"), "\(out)")
        #expect(out.contains("Operation not permitted"), "a denied open fails with EPERM: \(out)")
    }

    /// A later rule overrides an earlier one: denying "w" on /dev/null after allowing "rwm" keeps
    /// reads and refuses writes, including the write half of an O_RDWR open.
    @Test(.enabled(if: hasDeviceControl, "the host has no device controller"))
    func laterDenyOverridesEarlierAllow() throws {
        let out = try probeDevices(Self.containerRules + [DeviceRule(allow: false, type: .char, major: 1, minor: 3, access: .write)])
        #expect(out.contains("read-null-ok"), "\(out)")
        #expect(out.contains("write-null-denied"), "\(out)")
        #expect(out.contains("rdwr-null-denied"), "\(out)")
        #expect(out.contains("kmsg-denied"), "\(out)")
    }

    /// Applying rules again replaces the old ones (v2: the new program replaces the attached one).
    @Test(.enabled(if: hasDeviceControl, "the host has no device controller"))
    func reapplyingRulesReplacesThem() throws {
        try withCgroup("dev-update", resources: CgroupResources(devices: Self.containerRules)) { cgroup in
            #expect(try probe(in: cgroup).contains("kmsg-denied"))
            try cgroup.apply(CgroupResources(devices: [DeviceRule(allow: true, type: .all)]))
            let out = try probe(in: cgroup)
            #expect(out.contains("kmsg-ok"), "\(out)")
        }
    }

    /// A long list (jump offsets, program size) still evaluates correctly.
    @Test(.enabled(if: hasDeviceControl, "the host has no device controller"))
    func manyRules() throws {
        var filler: [DeviceRule] = []
        for i in 0..<200 {
            let kind: DeviceRule.Kind = i % 3 == 0 ? .block : .char
            let minor: Int64? = i % 5 == 0 ? nil : Int64(i)
            let access: DeviceRule.Access = i % 4 == 0 ? .all : [.read, .mknod]
            filler.append(DeviceRule(allow: i % 2 == 0, type: kind, major: 200 + Int64(i % 50), minor: minor, access: access))
        }
        let out = try probeDevices(Self.containerRules + filler)
        #expect(out.contains("read-null-ok") && out.contains("rdwr-null-ok") && out.contains("kmsg-denied"), "\(out)")
    }

    @Test(.enabled(if: hasDeviceControl, "the host has no device controller"))
    func allowAllAndDenyAll() throws {
        let open = try probeDevices([DeviceRule(allow: true, type: .all)])
        #expect(open.contains("read-null-ok") && open.contains("write-null-ok") && open.contains("kmsg-ok"), "\(open)")
        let closed = try probeDevices([])
        #expect(!closed.contains("read-null-ok") && closed.contains("write-null-denied")
                && closed.contains("kmsg-denied"), "\(closed)")
    }
}

/// The C entry point refuses malformed rules before building a program.
@Suite struct DeviceProgramInput {
    private func rule(type: Character, access: UInt32 = 7, major: Int64 = -1) -> sl_device_rule {
        var r = sl_device_rule()
        r.allow = 1
        r.type = CChar(type.asciiValue ?? 0)
        r.major = major
        r.minor = -1
        r.access = access
        return r
    }

    @Test func invalidRulesAreRefused() {
        var badType = rule(type: "x")
        #expect(sl_devices_bpf_attach(0, &badType, 1) == -EINVAL)
        var noAccess = rule(type: "c", access: 0)
        #expect(sl_devices_bpf_attach(0, &noAccess, 1) == -EINVAL)
        var badAccess = rule(type: "c", access: 8)
        #expect(sl_devices_bpf_attach(0, &badAccess, 1) == -EINVAL)
        var hugeMajor = rule(type: "c", major: 1 << 40)
        #expect(sl_devices_bpf_attach(0, &hugeMajor, 1) == -EINVAL)
        #expect(sl_devices_bpf_attach(-1, nil, 0) == -EINVAL)
    }
}
