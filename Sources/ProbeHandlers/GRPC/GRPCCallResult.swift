/// How one health check call over one connection ended, before it becomes a probe outcome.
enum GRPCCallResult: Sendable, Equatable {
    /// The connection closed or broke before the server's SETTINGS arrived: grpc-go is still
    /// connecting then, and tries again after a back-off.
    case notConnected(String)
    /// The deadline passed while still connecting (no SETTINGS from the server yet).
    case connectTimeout
    /// The server answered the call with this `HealthCheckResponse.status`.
    case servingStatus(Int)
    /// The call failed with this status (a deadline passed mid-call is DeadlineExceeded).
    case failed(GRPCStatus)
}

/// What the call sends besides the service name.
struct GRPCHealthRequest: Sendable {
    static let path = "/grpc.health.v1.Health/Check"

    /// host:port, grpc-go's `:authority` for a dialled address.
    let authority: String
    let service: String
    let userAgent: String
}
