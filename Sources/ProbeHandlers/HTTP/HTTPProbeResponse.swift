/// What one request of a probe got back: the status, where a redirect points, and at most
/// `HTTPProbeResponse.bodyLimit` bytes of the body.
struct HTTPProbeResponse: Sendable, Equatable {
    /// The kubelet reads at most 10 KiB of a probe's body; more is silently cut.
    static let bodyLimit = 10 * 1024

    var status: Int
    var location: String?
    var body: String

    var isRedirect: Bool { [301, 302, 303, 307, 308].contains(status) }
}

/// Why one request of a probe got no complete response.
enum HTTPExchangeError: Error, Sendable, CustomStringConvertible {
    case timeoutAwaitingHeaders
    case timeoutReadingBody
    case closedBeforeResponse

    var description: String {
        switch self {
        case .timeoutAwaitingHeaders: "timeout awaiting response headers (probe timeout exceeded)"
        case .timeoutReadingBody: "timeout reading body (probe timeout exceeded)"
        case .closedBeforeResponse: "EOF: connection closed before a response"
        }
    }
}
