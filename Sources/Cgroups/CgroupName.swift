/// Container cgroup names: one path component under the swiftlet parent, so a name can never
/// climb out of it or land in someone else's cgroup.
public enum CgroupName {
    /// The shared parent of every container cgroup, in each hierarchy.
    public static let parent = "swiftlet"

    public static func validate(_ name: String) throws(CgroupError) -> String {
        if name.isEmpty { throw .invalidName(name, reason: "it is empty") }
        if name == "." || name == ".." { throw .invalidName(name, reason: "it is a relative path") }
        if name.contains("/") { throw .invalidName(name, reason: "it must be a single path component") }
        if name.utf8.contains(0) { throw .invalidName(name, reason: "it contains a NUL byte") }
        if name.utf8.count > 255 { throw .invalidName(name, reason: "it is longer than 255 bytes") }
        return name
    }

    /// OCI linux.cgroupsPath: "/name", "name" or "name/" become "name"; anything with more than one
    /// component is refused rather than guessed at.
    public static func fromCgroupsPath(_ path: String) throws(CgroupError) -> String {
        let trimmed = path.split(separator: "/", omittingEmptySubsequences: true)
        guard trimmed.count == 1, let only = trimmed.first else {
            throw .invalidName(path, reason: "cgroupsPath must name a single cgroup under \(parent)/")
        }
        return try validate(String(only))
    }
}
