import NIOCore
import NIOSSL

/// The kubelet's HTTP probe (pkg/probe/http/http.go): one request per connection, same-host
/// redirects followed at most 10 times, the whole run bounded by one deadline. Everything runs on
/// the event loop, from the dial to the outcome.
struct HTTPProber: Sendable {
    static let maxRedirects = 10

    let dialer: LoopDialer
    let tlsContext: NIOSSLContext
    let userAgent: String
    var loop: any EventLoop { dialer.loop }

    func run(_ target: HTTPProbeTarget, netns: String, deadline: NIODeadline) -> EventLoopFuture<ProbeOutcome> {
        let origin = ProbeURL(target)
        let customHost = ProbeRequest.hostHeader(in: target.headers)
        return follow(origin, origin: origin, hostHeader: customHost, customHost: customHost, redirects: 0,
                      target: target, netns: netns, deadline: deadline)
    }

    /// One request; a same-host redirect starts the next.
    private func follow(_ url: ProbeURL, origin: ProbeURL, hostHeader: String?, customHost: String?, redirects: Int,
                        target: HTTPProbeTarget, netns: String, deadline: NIODeadline) -> EventLoopFuture<ProbeOutcome> {
        fetch(url, hostHeader: hostHeader, headers: target.headers, netns: netns, deadline: deadline)
            .flatMap { response -> EventLoopFuture<ProbeOutcome> in
                guard response.isRedirect, let location = response.location else {
                    return loop.makeSucceededFuture(Self.outcome(of: response))
                }
                guard let next = url.resolving(location) else {
                    return loop.makeSucceededFuture(
                        .failure(output: "Get \"\(url)\": failed to parse Location header \"\(location)\""))
                }
                // Another host: not followed; the 3xx itself becomes the (warning) result.
                guard next.sameEndpoint(as: origin) else { return loop.makeSucceededFuture(Self.outcome(of: response)) }
                guard redirects < Self.maxRedirects else {
                    return loop.makeSucceededFuture(
                        .failure(output: "Get \"\(next)\": stopped after \(Self.maxRedirects) redirects"))
                }
                // As Go's client: the probe's own Host header survives relative redirects only.
                let nextHost = ProbeURL.isAbsolute(location) ? nil : customHost
                return follow(next, origin: origin, hostHeader: nextHost, customHost: customHost,
                              redirects: redirects + 1, target: target, netns: netns, deadline: deadline)
            }
            .flatMapErrorThrowing { error in
                if let error = error as? NetnsError { return .unknown(error: error.description) }
                return .failure(output: "Get \"\(url)\": \(error)")
            }
    }

    /// Success for 2xx, a warning for a 3xx we did not follow, failure for anything else. The
    /// failure message leaves the body out on purpose (kubernetes#99425).
    static func outcome(of response: HTTPProbeResponse) -> ProbeOutcome {
        switch response.status {
        case 200..<300: .success(output: response.body)
        case 300..<400: .warning(output: "Probe terminated redirects, Response body: \(response.body)")
        default: .failure(output: "HTTP probe failed with statuscode: \(response.status)")
        }
    }

    private func fetch(_ url: ProbeURL, hostHeader: String?, headers: [HTTPProbeTarget.Header], netns: String,
                       deadline: NIODeadline) -> EventLoopFuture<HTTPProbeResponse> {
        let request = ProbeRequest.head(for: url, hostHeader: hostHeader, userHeaders: headers, userAgent: userAgent)
        let tls = url.scheme == .https
            ? HTTPExchange.TLS(context: tlsContext, serverName: DialAddress.isIPLiteral(url.host) ? nil : url.host)
            : nil
        return dialer.dial(host: url.host, port: url.port, netns: netns, deadline: deadline)
            .flatMap { fd in HTTPExchange.run(socket: fd, on: loop, request: request, tls: tls, deadline: deadline) }
    }
}
