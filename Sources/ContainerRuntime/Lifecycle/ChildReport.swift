#if canImport(Glibc)
import Glibc
#endif
import CShims

/// Reads the child's side of the spawn protocol (see CShims/spawn.c) until EOF.
enum ChildReport {
    enum Outcome {
        /// EOF: execve succeeded. `pid` is set when an exec'd process reported where it runs.
        case started(pid: Int32?)
        /// `create`: set-up is done and the init waits for `start` (it stays open: no EOF comes).
        case ready
        /// The init waits before pivot_root for the create-time hooks; read again after them.
        case hooksPoint
        /// A step failed; `pid` is the exec'd process if it had been forked (reap it).
        case failed(sl_child_error, pid: Int32?)
    }

    static func read(from fd: Int32) throws(RuntimeError) -> Outcome {
        var reportedPID: Int32? = nil
        var failure: sl_child_error? = nil
        while true {
            var msg = sl_child_error()
            let n = withUnsafeMutableBytes(of: &msg) { buf in
                var got = 0
                while got < buf.count {
                    let r = Glibc.read(fd, buf.baseAddress! + got, buf.count - got)
                    if r < 0 && errno == EINTR { continue }
                    if r <= 0 { return r < 0 ? -1 : got }
                    got += r
                }
                return got
            }
            if n < 0 { throw .system(step: "reading the container's start-up report", errno: .current) }
            if n == 0 {
                if let f = failure { return .failed(f, pid: reportedPID) }
                return .started(pid: reportedPID)
            }
            if n != MemoryLayout<sl_child_error>.size {
                throw .state("the container's start-up report was cut short (\(n) bytes)")
            }
            if msg.stage == Int32(SL_STAGE_READY.rawValue) && failure == nil { return .ready }
            if msg.stage == Int32(SL_STAGE_HOOKS.rawValue) && failure == nil { return .hooksPoint }
            if msg.stage == Int32(SL_STAGE_NONE.rawValue) {
                reportedPID = msg.index
                continue
            }
            // Keep reading: an exec reports its pid and its failure in either order.
            if failure == nil { failure = msg }
        }
    }
}

/// /proc/<pid>/stat's start time: with the pid it names one process for good (pids are reused).
public enum ProcStat {
    public static func startTime(pid: Int32) -> UInt64? {
        guard let text = Files.readText("/proc/\(pid)/stat") else { return nil }
        // The command name may hold spaces and parentheses: fields start after the last ')'.
        guard let close = text.lastIndex(of: ")") else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        // fields[0] is the state (field 3); starttime is field 22.
        guard fields.count > 19 else { return nil }
        return UInt64(fields[19])
    }

    /// True unless the process is gone or a zombie (exited, not yet reaped).
    public static func isRunning(pid: Int32) -> Bool {
        guard let text = Files.readText("/proc/\(pid)/stat"), let close = text.lastIndex(of: ")") else { return false }
        let state = text[text.index(after: close)...].dropFirst().first
        return state != nil && state != "Z" && state != "X"
    }
}
