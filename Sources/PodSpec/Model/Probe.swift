/// A liveness, readiness or startup probe with the kubelet's defaults applied.
public struct Probe: Sendable, Equatable {
    public enum Handler: Sendable, Equatable {
        /// The command, run inside the container; exit 0 is success.
        case exec([String])
        case httpGet(HTTPGetAction)
        case tcpSocket(TCPSocketAction)
        case grpc(GRPCAction)
    }

    public var handler: Handler
    /// Defaults to 0.
    public var initialDelaySeconds: Int
    /// Defaults to 1 (0 also means 1).
    public var timeoutSeconds: Int
    /// Defaults to 10.
    public var periodSeconds: Int
    /// Defaults to 1; always 1 for liveness and startup probes.
    public var successThreshold: Int
    /// Defaults to 3.
    public var failureThreshold: Int
    /// Overrides the pod's grace period when this probe kills the container; nil when unset.
    public var terminationGracePeriodSeconds: Int64?

    public init(handler: Handler, initialDelaySeconds: Int = 0, timeoutSeconds: Int = 1,
                periodSeconds: Int = 10, successThreshold: Int = 1, failureThreshold: Int = 3,
                terminationGracePeriodSeconds: Int64? = nil) {
        self.handler = handler
        self.initialDelaySeconds = initialDelaySeconds
        self.timeoutSeconds = timeoutSeconds
        self.periodSeconds = periodSeconds
        self.successThreshold = successThreshold
        self.failureThreshold = failureThreshold
        self.terminationGracePeriodSeconds = terminationGracePeriodSeconds
    }
}

public enum ProbeKind: String, Sendable, Equatable, CaseIterable {
    case liveness
    case readiness
    case startup

    /// The container field that holds this probe: `livenessProbe`, ...
    public var fieldName: String { rawValue + "Probe" }
}

/// A port given by number or by the name of one of the container's ports.
public enum PortReference: Sendable, Hashable {
    case number(Int)
    case name(String)
}

public struct HTTPGetAction: Sendable, Equatable {
    /// Defaults to `/`.
    public var path: String
    public var port: PortReference
    /// Nil means the pod's address.
    public var host: String?
    /// Defaults to HTTP.
    public var scheme: URIScheme
    public var httpHeaders: [HTTPHeader]

    public init(path: String = "/", port: PortReference, host: String? = nil,
                scheme: URIScheme = .http, httpHeaders: [HTTPHeader] = []) {
        self.path = path
        self.port = port
        self.host = host
        self.scheme = scheme
        self.httpHeaders = httpHeaders
    }
}

public enum URIScheme: String, Sendable, Equatable, CaseIterable {
    case http = "HTTP"
    case https = "HTTPS"
}

public struct HTTPHeader: Sendable, Equatable {
    public var name: String
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

public struct TCPSocketAction: Sendable, Equatable {
    public var port: PortReference
    /// Nil means the pod's address.
    public var host: String?

    public init(port: PortReference, host: String? = nil) {
        self.port = port
        self.host = host
    }
}

public struct GRPCAction: Sendable, Equatable {
    /// A number only: Kubernetes does not accept named ports for gRPC probes.
    public var port: Int
    /// The service name sent in the health check request; empty means the server as a whole.
    public var service: String

    public init(port: Int, service: String = "") {
        self.port = port
        self.service = service
    }
}
