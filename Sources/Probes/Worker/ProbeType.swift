/// The three probes a container may declare; each gets its own worker. The kubelet's `probeType`
/// (PodSpec's `ProbeKind` names the same three for the YAML side).
public enum ProbeType: String, CaseIterable, Hashable, Sendable {
    case liveness
    case readiness
    case startup

    /// As the kubelet spells it at the start of event messages: `Liveness probe failed: ...`.
    public var displayName: String {
        switch self {
        case .liveness: "Liveness"
        case .readiness: "Readiness"
        case .startup: "Startup"
        }
    }

    /// What a worker publishes the moment it sees a new container instance, before any probe ran:
    /// alive until shown otherwise, not ready until shown ready, not yet started.
    public var initialState: ProbeState {
        switch self {
        case .liveness: .success
        case .readiness: .failure
        case .startup: .unknown
        }
    }

    /// Liveness and startup failures end the container; readiness only gates traffic.
    public var failureKillsContainer: Bool { self != .readiness }
}
