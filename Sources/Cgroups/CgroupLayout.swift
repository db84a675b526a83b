import Glibc

/// One cgroup v1 hierarchy as this process sees it.
public struct CgroupV1Hierarchy: Sendable, Equatable, Hashable {
    /// Where the hierarchy is mounted, e.g. "/sys/fs/cgroup/memory" or "/sys/fs/cgroup/cpu,cpuacct".
    public var mountPoint: String
    /// This process's cgroup in the hierarchy, relative to the mount ("/" or "/process_api/<id>").
    public var ownPath: String

    public init(mountPoint: String, ownPath: String) {
        self.mountPoint = mountPoint
        self.ownPath = ownPath
    }

    /// The directory of this process's own cgroup: v1 containers are created under it, like runc.
    public var ownDirectory: String {
        ownPath == "/" ? mountPoint : mountPoint + ownPath
    }
}

/// How cgroups are mounted on this host. Detected from /proc/self/mountinfo and /proc/self/cgroup,
/// never assumed from paths.
public enum CgroupLayout: Sendable, Equatable {
    /// Pure cgroup v2: every controller is in the cgroup2 tree mounted at `mount`.
    case unified(mount: String)
    /// v1 controllers (key: controller name) plus a cgroup2 tree without them, used for process
    /// lifetime (cgroup.kill, cgroup.events, CLONE_INTO_CGROUP).
    case hybrid(unified: String, v1: [String: CgroupV1Hierarchy])
    /// v1 only (no cgroup2 mounted): best effort.
    case legacy(v1: [String: CgroupV1Hierarchy])

    public static func detect() throws(CgroupError) -> CgroupLayout {
        let mountinfo = try CgroupFS.read("/proc/self/mountinfo")
        let membership = try CgroupFS.read("/proc/self/cgroup")
        return try parse(mountinfo: mountinfo, procSelfCgroup: membership)
    }

    /// The cgroup2 mount, if any.
    public var v2Mount: String? {
        switch self {
        case let .unified(mount): return mount
        case let .hybrid(unified, _): return unified
        case .legacy: return nil
        }
    }

    public var v1Hierarchies: [String: CgroupV1Hierarchy] {
        switch self {
        case .unified: return [:]
        case let .hybrid(_, v1), let .legacy(v1): return v1
        }
    }

    /// Pure parsing, separated from the reads for tests.
    static func parse(mountinfo: String, procSelfCgroup: String) throws(CgroupError) -> CgroupLayout {
        let mounts = mountinfo.split(separator: "\n").compactMap(MountEntry.init)
        var v1: [String: CgroupV1Hierarchy] = [:]

        // Each v1 line of /proc/self/cgroup ("4:memory:/path", "1:cpu,cpuacct:/path") names the
        // controllers of one hierarchy; its mount is the cgroup mount that has all of them.
        for line in procSelfCgroup.split(separator: "\n") {
            let fields = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard fields.count == 3, fields[0] != "0", !fields[1].isEmpty else { continue }
            let controllers = fields[1].split(separator: ",").map(String.init)
            if controllers.contains(where: { $0.hasPrefix("name=") }) { continue }   // named, no controller
            guard let mount = mounts.first(where: { m in
                m.fstype == "cgroup" && controllers.allSatisfy { m.superOptions.contains($0) }
            }) else { continue }   // not mounted where we can see it
            let hierarchy = CgroupV1Hierarchy(
                mountPoint: mount.mountPoint,
                ownPath: relative(String(fields[2]), toMountRoot: mount.root))
            for controller in controllers { v1[controller] = hierarchy }
        }

        let v2Mounts = mounts.filter { $0.fstype == "cgroup2" }.map(\.mountPoint)
        let v2 = v2Mounts.first { $0 == "/sys/fs/cgroup" }
            ?? v2Mounts.first { $0 == "/sys/fs/cgroup/unified" }
            ?? v2Mounts.first

        switch (v2, v1.isEmpty) {
        case let (mount?, true): return .unified(mount: mount)
        case let (mount?, false): return .hybrid(unified: mount, v1: v1)
        case (nil, false): return .legacy(v1: v1)
        case (nil, true): throw .notMounted
        }
    }

    /// /proc/self/cgroup paths are relative to the hierarchy root; a mount may expose a subtree
    /// (root field of mountinfo, e.g. a container's bind mount), so strip that prefix.
    static func relative(_ path: String, toMountRoot root: String) -> String {
        if root == "/" || root.isEmpty { return path }
        if path == root { return "/" }
        if path.hasPrefix(root + "/") { return String(path.dropFirst(root.count)) }
        return path
    }
}

/// The fields of one /proc/self/mountinfo line that matter here.
struct MountEntry {
    var root: String
    var mountPoint: String
    var fstype: String
    var superOptions: Set<String>

    // "36 25 0:31 / /sys/fs/cgroup/memory rw,nosuid shared:15 - cgroup cgroup rw,memory"
    init?(_ line: Substring) {
        let fields = line.split(separator: " ")
        guard let dash = fields.firstIndex(of: "-"), dash >= 6, fields.count >= dash + 4 else { return nil }
        root = MountEntry.unescape(fields[3])
        mountPoint = MountEntry.unescape(fields[4])
        fstype = String(fields[dash + 1])
        superOptions = Set(fields[dash + 3].split(separator: ",").map(String.init))
    }

    /// mountinfo escapes space, tab, newline and backslash as \ooo octal.
    static func unescape(_ field: Substring) -> String {
        guard field.contains("\\") else { return String(field) }
        var out: [UInt8] = []
        let bytes = Array(field.utf8)
        var i = 0
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "\\"), i + 4 <= bytes.count,
               let value = UInt8(String(decoding: bytes[(i + 1)..<(i + 4)], as: UTF8.self), radix: 8) {
                out.append(value)
                i += 4
            } else {
                out.append(bytes[i])
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
