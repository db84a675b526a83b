import ContainerRuntime
import Foundation
import Glibc

/// The mounts of this mount namespace, from /proc/self/mountinfo.
enum MountTable {
    /// Mount points, as the kernel writes them (`\040` for a space, and so on, decoded).
    static func mountPoints() -> [String] {
        let text = (try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ", omittingEmptySubsequences: false)
            return fields.count > 4 ? unescape(String(fields[4])) : nil
        }
    }

    static func isMountPoint(_ path: String) -> Bool { mountPoints().contains(path) }

    /// Unmounts everything mounted at or below `dir` (a pod's tmpfs volumes and subPath binds),
    /// deepest first, detached so that a process still inside cannot keep the pod's directory.
    static func unmountAll(under dir: String) {
        let inside = mountPoints().filter { $0 == dir || $0.hasPrefix(dir + "/") }
        for point in inside.sorted(by: { $0.count > $1.count }) {
            // A point may be stacked (mounted twice): unmount until it is gone.
            while umount2(point, Int32(MNT_DETACH)) == 0 {}
        }
    }

    /// `\040` -> " ": mountinfo escapes space, tab, newline and backslash in octal.
    private static func unescape(_ field: String) -> String {
        guard field.contains("\\") else { return field }
        var bytes: [UInt8] = []
        let utf8 = Array(field.utf8)
        var i = 0
        while i < utf8.count {
            if utf8[i] == UInt8(ascii: "\\"), i + 3 < utf8.count,
               let value = UInt8(String(decoding: utf8[(i + 1)...(i + 3)], as: UTF8.self), radix: 8) {
                bytes.append(value)
                i += 4
            } else {
                bytes.append(utf8[i])
                i += 1
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
