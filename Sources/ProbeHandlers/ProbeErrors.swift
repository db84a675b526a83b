import Glibc

/// A connection could not be made. The messages follow Go's `net.Dial` errors, which is what
/// the kubelet shows: `dial tcp 127.0.0.1:8080: connect: connection refused`.
public struct DialError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        case refused, timeout, unreachable, lookup, shutdown, other
    }

    public let kind: Kind
    public let description: String

    static func connect(_ address: String, errno err: CInt) -> DialError {
        DialError(kind: kind(of: err), description: "dial tcp \(address): connect: \(errnoText(err))")
    }

    static func socket(_ address: String, errno err: CInt) -> DialError {
        DialError(kind: .other, description: "dial tcp \(address): socket: \(errnoText(err))")
    }

    static func timeout(_ address: String) -> DialError {
        DialError(kind: .timeout, description: "dial tcp \(address): i/o timeout")
    }

    static func lookup(_ host: String, _ reason: String) -> DialError {
        DialError(kind: .lookup, description: "dial tcp: lookup \(host): \(reason)")
    }

    static let shutdown = DialError(kind: .shutdown, description: "dial tcp: probe I/O is shut down")

    private static func kind(of err: CInt) -> Kind {
        switch err {
        case ECONNREFUSED: .refused
        case ETIMEDOUT: .timeout
        case EHOSTUNREACH, ENETUNREACH: .unreachable
        default: .other
        }
    }
}

/// The namespace could not be opened or joined: the probe cannot run (an `unknown` outcome).
public struct NetnsError: Error, Sendable, Equatable, CustomStringConvertible {
    public let path: String
    public let reason: String

    public var description: String { "cannot use network namespace \(path): \(reason)" }
}

/// ProbeIO could not be set up (threads, pipes, TLS context).
public struct ProbeIOSetupError: Error, Sendable, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}

/// strerror with Go's lower-case first letter ("connection refused").
func errnoText(_ err: CInt) -> String {
    guard let text = strerror(err) else { return "errno \(err)" }
    let message = String(cString: text)
    return message.prefix(1).lowercased() + message.dropFirst()
}
