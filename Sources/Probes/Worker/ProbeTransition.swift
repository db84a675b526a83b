/// A change of the result a worker publishes for a container instance.
public struct ProbeTransition: Hashable, Sendable {
    public enum Cause: Hashable, Sendable {
        /// A new instance starts with its kind's initial state.
        case newInstance
        /// A run of threshold-many equal probe results.
        case probed
        /// The instance stopped running: the kubelet marks it Failure.
        case containerExited
        /// Liveness and startup report Success while the pod is deleted, so nothing restarts it.
        case podDeleting
    }

    public var kind: ProbeType
    public var container: ContainerInstanceID
    public var state: ProbeState
    public var cause: Cause

    public init(kind: ProbeType, container: ContainerInstanceID, state: ProbeState, cause: Cause) {
        self.kind = kind
        self.container = container
        self.state = state
        self.cause = cause
    }

    /// Liveness or startup judged a running instance failed: it must be killed (and, unless the
    /// restart policy is Never, started again). A Failure published because the instance already
    /// exited asks for nothing.
    public var requestsKill: Bool {
        cause == .probed && state == .failure && kind.failureKillsContainer
    }
}

/// Everything one probe run produced.
public struct ProbeRecord: Hashable, Sendable {
    /// The event the kubelet's prober records for this run (every failure, warning and error).
    public var event: EventNote?
    /// A change of the published result, when this run completed a threshold.
    public var transition: ProbeTransition?

    public init(event: EventNote? = nil, transition: ProbeTransition? = nil) {
        self.event = event
        self.transition = transition
    }
}
