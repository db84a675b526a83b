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

    /// OCI linux.cgroupsPath, always kept inside swiftlet's own subtree: "/name", "name" or "name/"
    /// become "name"; a nested path as clients send it (podman "/libpod_parent/libpod-<id>",
    /// containerd "/<namespace>/<id>") becomes one component joined with "." (swiftlet never
    /// creates cgroups outside `swiftlet/`); systemd's "slice:prefix:name" (`--systemd-cgroup`)
    /// becomes "prefix-name.scope", the unit systemd would have made.
    public static func fromCgroupsPath(_ path: String) throws(CgroupError) -> String {
        if !path.hasPrefix("/") {
            let parts = path.split(separator: ":", omittingEmptySubsequences: false)
            if parts.count == 3 {
                let unit = parts[1].isEmpty ? String(parts[2]) : "\(parts[1])-\(parts[2])"
                return try validate(unit.hasSuffix(".slice") ? unit : unit + ".scope")
            }
        }
        let components = path.split(separator: "/", omittingEmptySubsequences: true)
        if components.contains(where: { $0 == "." || $0 == ".." }) {
            throw .invalidName(path, reason: "cgroupsPath must not contain \".\" or \"..\"")
        }
        guard !components.isEmpty else {
            throw .invalidName(path, reason: "cgroupsPath must name a cgroup under \(parent)/")
        }
        return try validate(components.joined(separator: "."))
    }
}
