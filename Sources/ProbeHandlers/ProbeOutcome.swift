/// What one HTTP or TCP probe found, in the kubelet's terms. Kept local to this module so the
/// probe worker (`Probes`) can map it onto its own result type.
public enum ProbeOutcome: Sendable, Equatable {
    /// The check passed; `output` is the response body (HTTP, at most 10 KiB) or empty (TCP).
    case success(output: String)
    /// Counts as success but is reported as a `ProbeWarning` event (a redirect not followed).
    case warning(output: String)
    /// The check ran and failed: a bad status, a refused connection, a timeout.
    case failure(output: String)
    /// The probe could not be run at all (e.g. the pod's namespace is gone): neither pass nor fail.
    case unknown(error: String)

    /// True for the outcomes the kubelet counts as a pass.
    public var isSuccess: Bool {
        switch self {
        case .success, .warning: true
        case .failure, .unknown: false
        }
    }
}
