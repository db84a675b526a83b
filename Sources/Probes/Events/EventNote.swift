/// Normal or Warning, as in `kubectl describe`'s Type column.
public enum EventType: String, Hashable, Sendable {
    case normal = "Normal"
    case warning = "Warning"
}

/// What happened, without who it happened to or when: the kubelet's type, reason and message.
/// The recorder adds the object and the time (see `EventRecorder.record`).
public struct EventNote: Hashable, Sendable {
    public var type: EventType
    public var reason: String
    public var message: String

    public init(_ type: EventType, reason: String, message: String) {
        self.type = type
        self.reason = reason
        self.message = message
    }
}

/// The reasons the kubelet uses (pkg/kubelet/events/event.go), for the events swiftlet records.
public enum EventReason {
    public static let pulled = "Pulled"
    public static let created = "Created"
    public static let started = "Started"
    public static let killing = "Killing"
    public static let unhealthy = "Unhealthy"
    public static let probeWarning = "ProbeWarning"
    public static let backOff = "BackOff"
    public static let failed = "Failed"
    public static let failedPostStartHook = "FailedPostStartHook"
    public static let failedPreStopHook = "FailedPreStopHook"
    public static let deadlineExceeded = "DeadlineExceeded"
}
