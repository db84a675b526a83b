/// Why the supervisor stops a container: it picks the grace period and the `Killing` message.
public enum KillReason: Hashable, Sendable {
    case livenessProbe
    case startupProbe
    /// The pod is being deleted (or otherwise stopped on purpose).
    case stopping
    /// The postStart hook failed (the kubelet's `FailedPostStartHook`): the restart policy
    /// then applies to the container's exit as to any other.
    case postStartHook

    /// The probe whose failure this is, for probe kills.
    public var probe: ProbeType? {
        switch self {
        case .livenessProbe: .liveness
        case .startupProbe: .startup
        case .stopping, .postStartHook: nil
        }
    }
}
