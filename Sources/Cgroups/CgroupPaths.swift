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

    /// Resources are set through v2 files (pure cgroup v2 host), not v1 ones. On a hybrid host
    /// the container may join no v1 hierarchy at all, so the v2 tree itself tells: there it
    /// offers no resource controllers.
    public var usesV2Resources: Bool {
        guard let v2, v1.isEmpty else { return false }
        let controllers = (try? CgroupFS.read(CgroupFS.join(v2, "cgroup.controllers"))) ?? ""
        return controllers.contains { !$0.isWhitespace }
    }

    /// Each v1 directory once, in a stable order.
    public var v1Directories: [String] {
        Array(Set(v1.values)).sorted()
    }

    /// Every directory: v2 first, then v1.
    public var allDirectories: [String] {
        (v2.map { [$0] } ?? []) + v1Directories
    }
}
