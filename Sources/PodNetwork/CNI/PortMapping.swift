/// One hostPort of a pod, in the shape of CNI's `portMappings` capability (CONVENTIONS.md).
public struct PortMapping: Codable, Sendable, Equatable {
    public var hostPort: Int
    public var containerPort: Int
    /// Lower-cased, as containerd passes it ("tcp", "udp", "sctp").
    public var `protocol`: String
    /// "" when unset (every address).
    public var hostIP: String

    public init(hostPort: Int, containerPort: Int, protocol: String = "tcp", hostIP: String = "") {
        self.hostPort = hostPort
        self.containerPort = containerPort
        self.protocol = `protocol`.lowercased()
        self.hostIP = hostIP
    }
}
