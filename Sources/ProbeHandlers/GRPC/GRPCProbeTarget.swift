/// A `grpc` probe after the pod spec is resolved: the pod's address (127.0.0.1 inside the pod's
/// namespace with no pod network), the port, and the service name sent in the health check.
public struct GRPCProbeTarget: Sendable, Equatable {
    public var host: String
    public var port: Int
    /// Empty asks about the server as a whole.
    public var service: String

    public init(host: String = "127.0.0.1", port: Int, service: String = "") {
        self.host = host
        self.port = port
        self.service = service
    }

    /// host:port as the kubelet's messages quote it (net.JoinHostPort).
    public var address: String { joinHostPort(host, port) }
}
