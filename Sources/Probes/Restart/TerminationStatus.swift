/// How a container's main process ended, as `waitpid` reports it.
public enum ProcessExit: Hashable, Sendable {
    case exited(code: Int32)
    case signaled(signal: Int32)

    /// A shell's convention, which Kubernetes shows: 128 + the signal (137 for SIGKILL, 143 for SIGTERM).
    public var exitCode: Int32 {
        switch self {
        case .exited(let code): code
        case .signaled(let signal): 128 + signal
        }
    }

    public var signal: Int32? {
        if case .signaled(let signal) = self { signal } else { nil }
    }
}

/// `state.terminated.reason`, as containerd's CRI sets it.
public enum TerminationReason: String, Hashable, Sendable {
    case completed = "Completed"
    case error = "Error"
    case oomKilled = "OOMKilled"

    /// An OOM kill seen by the kernel (the cgroup's `oom_kill` count rose) names itself whatever the
    /// exit code; otherwise 0 is Completed and anything else Error. A probe kill has no reason of its own.
    public init(exitCode: Int32, oomKilled: Bool) {
        self = oomKilled ? .oomKilled : exitCode == 0 ? .completed : .error
    }
}

/// `state.terminated` / `lastState.terminated` of a container.
public struct TerminationStatus: Hashable, Sendable {
    public var exitCode: Int32
    public var signal: Int32?
    public var reason: TerminationReason
    public var startedAt: WallTime
    public var finishedAt: WallTime

    public init(exit: ProcessExit, oomKilled: Bool = false, startedAt: WallTime, finishedAt: WallTime) {
        exitCode = exit.exitCode
        signal = exit.signal
        reason = TerminationReason(exitCode: exit.exitCode, oomKilled: oomKilled)
        self.startedAt = startedAt
        self.finishedAt = finishedAt
    }
}
