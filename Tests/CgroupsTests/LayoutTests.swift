import Glibc
import Testing
@testable import Cgroups

@Suite struct LayoutParsing {
    // This development machine: v1 controllers, cgroup2 without controllers at .../unified.
    static let hybridMountinfo = """
        31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
        32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,relatime shared:9 - cgroup cgroup rw,cpu,cpuacct
        34 31 0:31 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset,clone_children
        35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
        40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,name=systemd
        41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
        """
    static let hybridCgroup = """
        9:name=systemd:/
        4:memory:/process_api/abc
        3:cpuset:/
        1:cpu,cpuacct:/
        0::/
        """

    @Test func hybrid() throws {
        let layout = try CgroupLayout.parse(mountinfo: Self.hybridMountinfo, procSelfCgroup: Self.hybridCgroup)
        guard case let .hybrid(unified, v1) = layout else {
            Issue.record("expected hybrid, got \(layout)")
            return
        }
        #expect(unified == "/sys/fs/cgroup/unified")
        #expect(Set(v1.keys) == ["cpu", "cpuacct", "cpuset", "memory"])
        #expect(v1["memory"]?.ownDirectory == "/sys/fs/cgroup/memory/process_api/abc")
        #expect(v1["cpu"] == v1["cpuacct"])
        #expect(v1["cpu"]?.ownDirectory == "/sys/fs/cgroup/cpu,cpuacct")
    }

    @Test func unified() throws {
        let layout = try CgroupLayout.parse(
            mountinfo: "25 21 0:22 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate",
            procSelfCgroup: "0::/user.slice/session-1.scope\n")
        #expect(layout == .unified(mount: "/sys/fs/cgroup"))
    }

    @Test func legacy() throws {
        let layout = try CgroupLayout.parse(
            mountinfo: "35 31 0:32 / /sys/fs/cgroup/pids rw - cgroup cgroup rw,pids",
            procSelfCgroup: "2:pids:/user\n")
        #expect(layout == .legacy(v1: ["pids": CgroupV1Hierarchy(mountPoint: "/sys/fs/cgroup/pids", ownPath: "/user")]))
        #expect(layout.v2Mount == nil)
    }

    @Test func nothingMounted() {
        #expect(throws: CgroupError.notMounted) {
            try CgroupLayout.parse(mountinfo: "1 0 8:1 / / rw - ext4 /dev/sda1 rw", procSelfCgroup: "0::/\n")
        }
    }

    /// A container that got a subtree bind-mounted: mountinfo root is the subtree, /proc/self/cgroup
    /// shows the full path; the own directory must not repeat the prefix.
    @Test func subtreeMountStripsRoot() throws {
        let layout = try CgroupLayout.parse(
            mountinfo: "35 31 0:32 /docker/c1 /sys/fs/cgroup/memory ro - cgroup cgroup rw,memory\n"
                + "41 31 0:38 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw",
            procSelfCgroup: "4:memory:/docker/c1/sub\n0::/\n")
        #expect(layout.v1Hierarchies["memory"]?.ownDirectory == "/sys/fs/cgroup/memory/sub")
    }

    @Test func escapedMountPoint() throws {
        let layout = try CgroupLayout.parse(
            mountinfo: "25 21 0:22 / /tmp/my\\040cgroup rw - cgroup2 cgroup2 rw", procSelfCgroup: "0::/\n")
        #expect(layout == .unified(mount: "/tmp/my cgroup"))
    }

    @Test func v1ControllerNotMountedIsSkipped() throws {
        let layout = try CgroupLayout.parse(
            mountinfo: "35 31 0:32 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory",
            procSelfCgroup: "4:memory:/\n5:pids:/\n")
        #expect(Set(layout.v1Hierarchies.keys) == ["memory"])
    }

    /// The detection must agree with what the filesystem types say, on whatever host runs this.
    /// A runner that knows what it booted (Tests/v2vm) says so in SWIFTLET_EXPECT_LAYOUT, and then
    /// the live tests must not be skipped either.
    @Test func detectsThisHost() throws {
        let layout = try CgroupLayout.detect()
        if let expected = getenv("SWIFTLET_EXPECT_LAYOUT").map({ String(cString: $0) }) {
            let kind = switch layout { case .unified: "unified"; case .hybrid: "hybrid"; case .legacy: "legacy" }
            #expect(kind == expected)
            #expect(canCreateCgroups, "the live cgroup tests would be skipped")
        }
        // Only a cgroup2 root has cgroup.controllers (v1 roots and tmpfs do not).
        let rootIsCgroup2 = CgroupFS.exists("/sys/fs/cgroup/cgroup.controllers")
        let unifiedIsCgroup2 = CgroupFS.exists("/sys/fs/cgroup/unified/cgroup.controllers")
        switch layout {
        case let .unified(mount):
            #expect(rootIsCgroup2)
            #expect(mount == "/sys/fs/cgroup")
        case let .hybrid(unified, v1):
            #expect(unifiedIsCgroup2)
            #expect(unified == "/sys/fs/cgroup/unified")
            #expect(v1["memory"] != nil)
            // Our own v1 memory cgroup is where /proc/self/cgroup says.
            let own = try CgroupFS.read("/proc/self/cgroup").split(separator: "\n")
                .first { $0.split(separator: ":").dropFirst().first == "memory" }
                .map { String($0.split(separator: ":", maxSplits: 2)[2]) }
            #expect(v1["memory"]?.ownPath == own)
            #expect(CgroupFS.exists(v1["memory"]?.ownDirectory ?? "/nonexistent"))
        case .legacy:
            #expect(!rootIsCgroup2 && !unifiedIsCgroup2)
        }
    }
}

@Suite struct ResourceMath {
    @Test(arguments: [(2, 1), (1024, 39), (262_144, 10_000), (1, 1), (1_000_000, 10_000)] as [(UInt64, UInt64)])
    func sharesToWeight(shares: UInt64, weight: UInt64) {
        #expect(CgroupResources.cpuWeight(shares: shares) == weight)
    }

    @Test func swapConversion() throws {
        let mib: UInt64 = 1 << 20
        #expect(try CgroupResources.v2SwapMax(memory: .value(20 * mib), swap: .value(20 * mib)) == .value(0))
        #expect(try CgroupResources.v2SwapMax(memory: .value(20 * mib), swap: .value(50 * mib)) == .value(30 * mib))
        #expect(try CgroupResources.v2SwapMax(memory: .value(20 * mib), swap: .max) == .max)
        #expect(try CgroupResources.v2SwapMax(memory: .max, swap: nil) == .max)
        #expect(try CgroupResources.v2SwapMax(memory: .value(20 * mib), swap: nil) == nil)
        #expect(throws: CgroupError.self) { try CgroupResources.v2SwapMax(memory: .value(50 * mib), swap: .value(20 * mib)) }
        #expect(throws: CgroupError.self) { try CgroupResources.v2SwapMax(memory: nil, swap: .value(20 * mib)) }
    }

    @Test func ociLimits() {
        #expect(CgroupLimit(oci: -1) == .max)
        #expect(CgroupLimit(oci: 4096) == .value(4096))
        #expect(CgroupLimit.max.v1Text == "-1")
        #expect(CgroupLimit.max.v2Text == "max")
    }

    @Test func invalidResources() {
        #expect(throws: CgroupError.self) { try CgroupResources(cpuShares: 1).validate() }
        #expect(throws: CgroupError.self) { try CgroupResources(cpuPeriod: 10).validate() }
        #expect(throws: CgroupError.self) { try CgroupResources(cpuQuota: .value(0)).validate() }
        #expect(throws: CgroupError.self) { try CgroupResources(unified: ["../escape": "1"]).validate() }
        #expect(throws: CgroupError.self) {
            try CgroupResources(devices: [DeviceRule(allow: true, type: .char, major: 1 << 20)]).validate()
        }
        #expect(throws: Never.self) { try CgroupResources(cpuShares: 1024, cpuQuota: .max, cpuPeriod: 100_000).validate() }
    }

    @Test func deviceRuleLines() {
        #expect(DeviceRule(allow: true, type: .char, major: 1, minor: 3).v1Line == "c 1:3 rwm")
        #expect(DeviceRule(allow: true, type: .char, major: 136).v1Line == "c 136:* rwm")
        #expect(DeviceRule(allow: true, type: .block, access: .mknod).v1Line == "b *:* m")
        #expect(DeviceRule(allow: false, type: .all).v1Line == "a")
        #expect(DeviceRule.Access("rw") == [.read, .write])
        #expect(DeviceRule.Access("") == nil)
        #expect(DeviceRule.Access("rx") == nil)
        #expect(DeviceRule.defaultAllowed.count == 11)
        #expect(DeviceRule.defaultAllowed.allSatisfy { $0.allow })
    }

    @Test func names() throws {
        #expect(try CgroupName.validate("web-1") == "web-1")
        #expect(try CgroupName.fromCgroupsPath("/web-1") == "web-1")
        #expect(try CgroupName.fromCgroupsPath("web-1/") == "web-1")
        for bad in ["", ".", "..", "a/b", String(repeating: "x", count: 256)] {
            #expect(throws: CgroupError.self) { try CgroupName.validate(bad) }
        }
        // Clients' nested paths and systemd's slice:prefix:name stay one component under swiftlet/.
        #expect(try CgroupName.fromCgroupsPath("/libpod_parent/libpod-abc") == "libpod_parent.libpod-abc")
        #expect(try CgroupName.fromCgroupsPath("/default/t1") == "default.t1")
        #expect(try CgroupName.fromCgroupsPath("machine.slice:libpod:abc") == "libpod-abc.scope")
        #expect(throws: CgroupError.self) { try CgroupName.fromCgroupsPath("/a/../b") }
        #expect(throws: CgroupError.self) { try CgroupName.fromCgroupsPath("/") }
    }

    @Test func errorSentences() {
        let busy = CgroupError.write(file: "memory.max", value: "20971520", dir: "/sys/fs/cgroup/swiftlet/x", errno: EBUSY)
        #expect(busy.description == "cannot set memory.max to 20971520 in /sys/fs/cgroup/swiftlet/x: Device or resource busy")
        #expect(CgroupError.remove(path: "/a/swiftlet/b", errno: ENOTEMPTY).description
                == "cannot remove cgroup /a/swiftlet/b: Directory not empty")
    }

    @Test func removalOnlyUnderSwiftlet() {
        #expect(throws: CgroupError.self) { try Cgroup.checkOwned("/sys/fs/cgroup") }
        #expect(throws: CgroupError.self) { try Cgroup(paths: CgroupPaths(v2: "/sys/fs/cgroup/user.slice", v1: [:])).destroy() }
        #expect(throws: Never.self) { try Cgroup.checkOwned("/sys/fs/cgroup/swiftlet/x") }
    }
}
