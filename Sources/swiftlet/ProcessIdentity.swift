import Foundation

/// A process named by pid and /proc start time: pids are reused, the pair is not.
struct ProcessIdentity: Equatable, Sendable {
    var pid: Int32
    var startTime: UInt64

    /// True while that very process exists (not a later one that got the same pid).
    var isAlive: Bool { Self.startTime(pid: pid) == startTime }

    /// Field 22 of /proc/<pid>/stat; nil when there is no such process.
    static func startTime(pid: Int32) -> UInt64? {
        guard pid > 0, let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return nil }
        return startTime(statLine: text)
    }

    /// The command name may hold spaces and parentheses: fields are counted after the last ')'.
    static func startTime(statLine text: String) -> UInt64? {
        guard let close = text.lastIndex(of: ")") else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 19 else { return nil }   // fields[0] is field 3 (state)
        return UInt64(fields[19])
    }
}
