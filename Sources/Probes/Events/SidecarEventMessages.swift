extension EventMessages {
    /// A native sidecar killed by its liveness or startup probe: the kubelet's message for a
    /// restartable init container (kuberuntime_container.go `computeInitContainerActions`), which
    /// names it an init container and says nothing of a restart (it always restarts).
    public static func killingSidecar(container: String, reason: KillReason) -> EventNote {
        let message = switch reason {
        case .livenessProbe: "Init container \(container) failed liveness probe"
        case .startupProbe: "Init container \(container) failed startup probe"
        case .stopping: "Stopping container \(container)"
        }
        return EventNote(.normal, reason: EventReason.killing, message: message)
    }
}
