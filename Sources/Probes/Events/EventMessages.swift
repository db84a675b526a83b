import GoFormat

/// The kubelet's events, word for word (pkg/kubelet/prober/prober.go,
/// pkg/kubelet/kuberuntime/kuberuntime_container.go and kuberuntime_manager.go,
/// pkg/kubelet/images/image_manager.go), so anyone who knows Kubernetes reads swiftlet's alike.
public enum EventMessages {
    /// The event a probe run leaves: none for a plain success.
    public static func probe(_ kind: ProbeType, result: ProbeResult) -> EventNote? {
        switch result {
        case .success:
            nil
        case .warning(let output):
            EventNote(.warning, reason: EventReason.probeWarning, message: "\(kind.displayName) probe warning: \(output)")
        case .failure(let output):
            EventNote(.warning, reason: EventReason.unhealthy, message: "\(kind.displayName) probe failed: \(output)")
        case .unknown(let error):
            EventNote(.warning, reason: EventReason.unhealthy,
                      message: "\(kind.displayName) probe errored and resulted in unknown state: \(error)")
        }
    }

    /// The image is a local directory, so it is always "already present".
    public static func pulled(image: String) -> EventNote {
        EventNote(.normal, reason: EventReason.pulled, message: "Container image \(goQuoted(image)) already present on machine")
    }

    public static func created(container: String) -> EventNote {
        EventNote(.normal, reason: EventReason.created, message: "Created container \(container)")
    }

    public static func started(container: String) -> EventNote {
        EventNote(.normal, reason: EventReason.started, message: "Started container \(container)")
    }

    /// `Container kubia failed liveness probe, will be restarted`; without the restart clause under
    /// restartPolicy Never; `Stopping container kubia` when the pod is deleted;
    /// `FailedPostStartHook` when its postStart hook failed.
    public static func killing(container: String, reason: KillReason, willRestart: Bool) -> EventNote {
        let message = switch reason {
        case .livenessProbe: "Container \(container) failed liveness probe"
        case .startupProbe: "Container \(container) failed startup probe"
        case .stopping: "Stopping container \(container)"
        case .postStartHook: "FailedPostStartHook"
        }
        let restart = willRestart && reason.probe != nil ? ", will be restarted" : ""
        return EventNote(.normal, reason: EventReason.killing, message: message + restart)
    }

    /// Recorded each time a sync finds the container still waiting out its back-off.
    public static func backOff(container: String, pod: PodReference) -> EventNote {
        EventNote(.warning, reason: EventReason.backOff, message: "Back-off restarting failed container \(container) in pod \(pod)")
    }

    /// The hook's own message stays out of the event "so that secrets won't leak from the server"
    /// (kuberuntime_container.go).
    public static let failedPostStartHook = EventNote(.warning, reason: EventReason.failedPostStartHook,
                                                      message: "PostStartHook failed")
    public static let failedPreStopHook = EventNote(.warning, reason: EventReason.failedPreStopHook,
                                                    message: "PreStopHook failed")

    /// The pod ran longer than `activeDeadlineSeconds` (pkg/kubelet/active_deadline.go).
    public static let deadlineExceeded = EventNote(.normal, reason: EventReason.deadlineExceeded,
                                                   message: "Pod was active on the node longer than the specified deadline")

    /// A container that could not be created or started.
    public static func failed(error: String) -> EventNote {
        EventNote(.warning, reason: EventReason.failed, message: "Error: \(error)")
    }
}
