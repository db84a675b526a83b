/// An `httpGet` probe after the pod spec is resolved: named ports already turned into numbers
/// and the host defaulted to the pod's address (127.0.0.1 inside the pod's namespace).
public struct HTTPProbeTarget: Sendable, Equatable {
    public enum Scheme: String, Sendable {
        case http, https

        var defaultPort: Int { self == .http ? 80 : 443 }
    }

    public struct Header: Sendable, Equatable {
        public var name: String
        public var value: String

        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    public var scheme: Scheme
    public var host: String
    public var port: Int
    /// Path and optional query; "" means "/".
    public var path: String
    /// `httpHeaders`, in order; a name may repeat.
    public var headers: [Header]

    public init(
        scheme: Scheme = .http, host: String = "127.0.0.1", port: Int, path: String = "/",
        headers: [Header] = []
    ) {
        self.scheme = scheme
        self.host = host
        self.port = port
        self.path = path
        self.headers = headers
    }
}
