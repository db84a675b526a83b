/// `status.phase`.
public enum PodPhase: String, CaseIterable, Hashable, Sendable {
    case pending = "Pending"
    case running = "Running"
    case succeeded = "Succeeded"
    case failed = "Failed"
    /// The supervisor cannot tell (it died); never computed from container states.
    case unknown = "Unknown"
}

/// A regular container's state as the phase rule reads it.
public enum ContainerPhaseState: Hashable, Sendable {
    /// No status yet.
    case notCreated
    /// Waiting to start: the first time, or again after an earlier instance ended (back-off).
    case waiting(afterTermination: Bool)
    case running
    case terminated(exitCode: Int32)
}

extension PodPhase {
    /// The kubelet's `getPhase` for a pod without init containers. `podIsTerminal` is set once the
    /// supervisor has decided nothing in the pod will run again (deleted, or every container done).
    public static func of(_ containers: [ContainerPhaseState], restartPolicy: RestartPolicy,
                          podIsTerminal: Bool = false) -> PodPhase {
        var running = 0, waiting = 0, stopped = 0, succeeded = 0, unknown = 0
        for state in containers {
            switch state {
            case .notCreated: unknown += 1
            case .running: running += 1
            case .waiting(let afterTermination): if afterTermination { stopped += 1 } else { waiting += 1 }
            case .terminated(let exitCode):
                stopped += 1
                if exitCode == 0 { succeeded += 1 }
            }
        }
        if waiting > 0 { return .pending }
        if running > 0 && unknown == 0 { return .running }
        guard running == 0, stopped > 0, unknown == 0 else { return .pending }
        if podIsTerminal { return stopped == succeeded ? .succeeded : .failed }
        // Every container has stopped; what happens next depends on the policy.
        switch restartPolicy {
        case .always: return .running  // they are all restarting
        case .onFailure: return stopped == succeeded ? .succeeded : .running
        case .never: return stopped == succeeded ? .succeeded : .failed
        }
    }
}
