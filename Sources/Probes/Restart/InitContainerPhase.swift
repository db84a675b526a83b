/// An init container's state as the phase rule reads it.
public struct InitContainerPhaseState: Hashable, Sendable {
    /// A native sidecar (`restartPolicy: Always`).
    public var restartable: Bool
    public var state: State

    public enum State: Hashable, Sendable {
        /// No status yet.
        case notCreated
        /// `started`: its startup probe passed (or it has none).
        case running(started: Bool)
        case terminated(exitCode: Int32)
        /// Waiting to start; `lastExitCode` is the exit code of its last instance, if any.
        case waiting(lastExitCode: Int32?)
    }

    public init(restartable: Bool, state: State) {
        self.restartable = restartable
        self.state = state
    }
}

extension PodPhase {
    /// The kubelet's `getPhase` (pkg/kubelet/kubelet_pods.go, 1.32 and later) for a pod with init
    /// containers: regular init containers still to complete keep the pod Pending, and one that
    /// failed fails the pod under `Never`; sidecars count as running while they run, keep a pod
    /// not yet initialized Pending until started, and are not counted once they stopped.
    /// `podHasInitialized`: the pod's Initialized condition has been true.
    public static func of(initContainers: [InitContainerPhaseState], containers: [ContainerPhaseState],
                          restartPolicy: RestartPolicy, podHasInitialized: Bool, podIsTerminal: Bool = false) -> PodPhase {
        var pendingRegular = 0, pendingRestartable = 0, failedInitialization = 0
        var unknown = 0, running = 0, waiting = 0, stopped = 0, succeeded = 0
        for c in initContainers where !c.restartable {
            switch c.state {
            case .running, .notCreated: pendingRegular += 1
            case .terminated(let code): if code != 0 { failedInitialization += 1 }
            case .waiting(let last):
                if let last { if last != 0 { failedInitialization += 1 } } else { pendingRegular += 1 }
            }
        }
        for c in initContainers where c.restartable {
            switch c.state {
            case .running(let started):
                if !started { pendingRestartable += 1 }
                running += 1
            case .terminated: break
            case .waiting(let last):
                if last == nil {
                    pendingRestartable += 1
                    waiting += 1
                }
            case .notCreated:
                pendingRestartable += 1
                unknown += 1
            }
        }
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
        if failedInitialization > 0 && restartPolicy == .never { return .failed }
        if pendingRegular > 0 || (pendingRestartable > 0 && !podHasInitialized) { return .pending }
        if waiting > 0 { return .pending }
        if running > 0 && unknown == 0 { return .running }
        guard running == 0, stopped > 0, unknown == 0 else { return .pending }
        if podIsTerminal { return stopped == succeeded ? .succeeded : .failed }
        switch restartPolicy {
        case .always: return .running
        case .onFailure: return stopped == succeeded ? .succeeded : .running
        case .never: return stopped == succeeded ? .succeeded : .failed
        }
    }
}
