import NIOCore
import NIOSSL

/// The kubelet's HTTP probe (pkg/probe/http/http.go): one request per connection, same-host
/// redirects followed at most 10 times, the whole run bounded by one deadline.
struct HTTPProber: Sendable {
    static let maxRedirects = 10

    let factory: NetnsSocketFactory
    let loop: any EventLoop
    let tlsContext: NIOSSLContext
    let userAgent: String

    func run(_ target: HTTPProbeTarget, netns: String, deadline: NIODeadline) async -> ProbeOutcome {
        let origin = ProbeURL(target)
        var url = origin
        let customHost = ProbeRequest.hostHeader(in: target.headers)
        var hostHeader = customHost
        var redirects = 0
        while true {
            let response: HTTPProbeResponse
            do {
                response = try await fetch(url, hostHeader: hostHeader, headers: target.headers, netns: netns,
                                           deadline: deadline)
            } catch let error as NetnsError {
                return .unknown(error: error.description)
            } catch {
                return .failure(output: "Get \"\(url)\": \(error)")
            }
            guard response.isRedirect, let location = response.location else { return Self.outcome(of: response) }
            guard let next = url.resolving(location) else {
                return .failure(output: "Get \"\(url)\": failed to parse Location header \"\(location)\"")
            }
            // Another host: not followed; the 3xx itself becomes the (warning) result.
            guard next.sameEndpoint(as: origin) else { return Self.outcome(of: response) }
            guard redirects < Self.maxRedirects else {
                return .failure(output: "Get \"\(next)\": stopped after \(Self.maxRedirects) redirects")
            }
            redirects += 1
            // As Go's client: the probe's own Host header survives relative redirects only.
            hostHeader = ProbeURL.isAbsolute(location) ? nil : customHost
            url = next
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
                       deadline: NIODeadline) async throws -> HTTPProbeResponse {
        let request = ProbeRequest.head(for: url, hostHeader: hostHeader, userHeaders: headers, userAgent: userAgent)
        let tls = url.scheme == .https
            ? HTTPExchange.TLS(context: tlsContext, serverName: DialAddress.isIPLiteral(url.host) ? nil : url.host)
            : nil
        // Dial thread → event loop → one resume of the caller: no hop through the pool between.
        return try await factory.connect(host: url.host, port: url.port, netns: netns, deadline: deadline, on: loop)
            .flatMap { fd in
                HTTPExchange.run(socket: fd, on: loop, request: request, tls: tls, deadline: deadline)
            }
            .get()
    }
}
