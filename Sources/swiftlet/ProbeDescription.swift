import PodSpec

/// kubectl's `DescribeProbe`: `http-get http://:8080/ delay=0s timeout=1s period=10s #success=1 #failure=3`.
enum ProbeDescription {
    static func describe(_ probe: Probe) -> String {
        let attributes = "delay=\(probe.initialDelaySeconds)s timeout=\(probe.timeoutSeconds)s period=\(probe.periodSeconds)s "
            + "#success=\(probe.successThreshold) #failure=\(probe.failureThreshold)"
        switch probe.handler {
        case .exec(let command):
            // Go's %v of a []string.
            return "exec [\(command.joined(separator: " "))] \(attributes)"
        case .httpGet(let action):
            let path = action.path.hasPrefix("/") || action.path.isEmpty ? action.path : "/" + action.path
            return "http-get \(action.scheme.rawValue.lowercased())://\(hostPort(action.host ?? "", action.port))\(path) \(attributes)"
        case .tcpSocket(let action):
            return "tcp-socket \(action.host ?? ""):\(portString(action.port)) \(attributes)"
        case .grpc(let action):
            return "grpc <pod>:\(action.port) \(action.service) \(attributes)"
        }
    }

    /// Go's net.JoinHostPort: brackets around an IPv6 address.
    static func hostPort(_ host: String, _ port: PortReference) -> String {
        (host.contains(":") ? "[\(host)]" : host) + ":" + portString(port)
    }

    static func portString(_ port: PortReference) -> String {
        switch port {
        case .number(let number): String(number)
        case .name(let name): name
        }
    }
}
