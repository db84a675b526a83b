/// `lifecycle`: the hooks the kubelet runs right after a container starts and before it is
/// stopped (core/v1 `Lifecycle`).
public struct Lifecycle: Sendable, Equatable {
    /// Runs right after the container started; the container is not `running` until it returns,
    /// and a failure kills it (`FailedPostStartHook`).
    public var postStart: LifecycleHandler?
    /// Runs before the stop signal, inside the grace period; a failure is reported and the kill
    /// goes on (`FailedPreStopHook`).
    public var preStop: LifecycleHandler?

    public init(postStart: LifecycleHandler? = nil, preStop: LifecycleHandler? = nil) {
        self.postStart = postStart
        self.preStop = preStop
    }
}

/// core/v1 `LifecycleHandler`: exactly one action.
public enum LifecycleHandler: Sendable, Equatable {
    /// The command, run inside the container; exit 0 is success.
    case exec([String])
    /// Any HTTP response is success (the kubelet reads no status code for hooks).
    case httpGet(HTTPGetAction)
    /// Accepted by the API server (kept for compatibility) and failed by the kubelet at run time.
    case tcpSocket(TCPSocketAction)
    /// Waits that many seconds (bounded by the grace period when stopping).
    case sleep(seconds: Int64)
}

/// `terminationMessagePolicy`.
public enum TerminationMessagePolicy: String, Sendable, Equatable, CaseIterable {
    /// The message is what the container wrote to `terminationMessagePath`.
    case file = "File"
    /// As `File`; when the file is empty and the container failed, the end of its log.
    case fallbackToLogsOnError = "FallbackToLogsOnError"
}
