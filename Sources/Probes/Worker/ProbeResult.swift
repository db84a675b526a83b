/// The outcome of running one probe once, as the handler (HTTP, TCP, exec, gRPC) reports it.
public enum ProbeResult: Equatable, Sendable {
    case success
    /// Counts as success, but the user should hear about it (an HTTP redirect to another host).
    case warning(output: String)
    case failure(output: String)
    /// The probe could not be run at all (a named port that does not exist, a runtime error).
    /// Neither success nor failure: the worker throws it away and only an event is left.
    case unknown(error: String)

    /// How the worker counts it in a run, or nil when the result is thrown away.
    var countedState: ProbeState? {
        switch self {
        case .success, .warning: .success
        case .failure: .failure
        case .unknown: nil
        }
    }
}

/// What a worker publishes for a container instance: the value other parts read and watch.
public enum ProbeState: String, Hashable, Sendable {
    case success = "Success"
    case failure = "Failure"
    /// Only a startup worker publishes this, for an instance it has not judged yet.
    case unknown = "Unknown"
}
