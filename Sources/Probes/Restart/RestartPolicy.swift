/// `spec.restartPolicy` of a pod. PodSpec has an enum of the same name and values; a module
/// importing both writes `Probes.RestartPolicy(rawValue: spec.restartPolicy.rawValue)`.
public enum RestartPolicy: String, CaseIterable, Hashable, Sendable {
    case always = "Always"
    case onFailure = "OnFailure"
    case never = "Never"

    /// Whether a container instance that ended is started again: the kubelet's
    /// `ShouldContainerBeRestarted` for exits, and `computePodActions` for probe kills, which
    /// restart in the same sync under any policy but Never, whatever the exit code (a container
    /// that exits 0 on SIGTERM is still restarted under OnFailure).
    /// A pod being deleted restarts nothing.
    public func shouldRestart(exitCode: Int32, killedByProbe: Bool, podDeleting: Bool = false) -> Bool {
        if podDeleting { return false }
        switch self {
        case .always: return true
        case .onFailure: return exitCode != 0 || killedByProbe
        case .never: return false
        }
    }
}
