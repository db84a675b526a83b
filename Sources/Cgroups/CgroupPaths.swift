/// Where one container's cgroup lives: plain strings, to be persisted in the container's state
/// and handed to `Cgroup(paths:)` by a later process (kill, delete, exec).
public struct CgroupPaths: Sendable, Equatable, Hashable, Codable {
    /// The cgroup2 directory ("/sys/fs/cgroup/swiftlet/<name>"); nil on a v1-only host.
    public var v2: String?
    /// v1 controller name -> directory. Controllers mounted together share a directory.
    public var v1: [String: String]

    public init(v2: String?, v1: [String: String]) {
        self.v2 = v2
        self.v1 = v1
    }

    /// Resources are set through v2 files (pure cgroup v2 host), not v1 ones.
    public var usesV2Resources: Bool { v2 != nil && v1.isEmpty }

    /// Each v1 directory once, in a stable order.
    public var v1Directories: [String] {
        Array(Set(v1.values)).sorted()
    }

    /// Every directory: v2 first, then v1.
    public var allDirectories: [String] {
        (v2.map { [$0] } ?? []) + v1Directories
    }
}
