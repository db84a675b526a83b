import Foundation

/// A process named by pid and /proc start time: pids are reused, the pair is not.
struct ProcessIdentity: Equatable, Sendable {
    var pid: Int32
    var startTime: UInt64

    /// True while that very process runs: not a later process that got the same pid, and not a
    /// zombie (a killed supervisor stays one until something reaps it).
    var isAlive: Bool {
        guard pid > 0, let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let stat = Self.parse(statLine: text) else { return false }
        return stat.startTime == startTime && stat.state != "Z" && stat.state != "X"
    }

    /// Field 22 of /proc/<pid>/stat; nil when there is no such process.
    static func startTime(pid: Int32) -> UInt64? {
        guard pid > 0, let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return nil }
        return parse(statLine: text)?.startTime
    }

    /// Fields 3 (state) and 22 (start time). The command name may hold spaces and parentheses:
    /// fields are counted after the last ')'.
    static func parse(statLine text: String) -> (state: Character, startTime: UInt64)? {
        guard let close = text.lastIndex(of: ")") else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 19, let state = fields[0].first, let start = UInt64(fields[19]) else { return nil }
        return (state, start)
    }
}
