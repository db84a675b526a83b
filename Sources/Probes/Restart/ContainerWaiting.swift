/// `state.waiting` of a container: why it is not running yet.
public struct ContainerWaiting: Hashable, Sendable {
    public var reason: String
    public var message: String?

    public init(reason: String, message: String? = nil) {
        self.reason = reason
        self.message = message
    }

    /// Before the first instance runs.
    public static let containerCreating = ContainerWaiting(reason: "ContainerCreating")

    /// Waiting out a restart back-off, with the kubelet's message:
    /// `back-off 40s restarting failed container=kubia pod=kubia-liveness_default(uid)`.
    public static func crashLoopBackOff(backOff: Duration, container: String, pod: PodReference) -> ContainerWaiting {
        ContainerWaiting(reason: "CrashLoopBackOff",
                         message: "back-off \(goDuration(backOff)) restarting failed container=\(container) pod=\(pod)")
    }
}
