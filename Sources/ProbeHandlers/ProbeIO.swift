import NIOCore
import NIOPosix
import NIOSSL

/// Probe I/O for every pod of a supervisor: one SwiftNIO event loop drives all HTTP probes, a
/// few dial threads make the sockets inside each pod's network namespace.
public final class ProbeIO: Sendable {
    /// `User-Agent` the kubelet sends: kube-probe/<major>.<minor>.
    public static let defaultUserAgent = "kube-probe/1.35"

    public let factory: NetnsSocketFactory
    private let group: MultiThreadedEventLoopGroup
    private let prober: HTTPProber

    /// - Parameters:
    ///   - dialThreads: threads that setns and connect (clamped to 1...4).
    ///   - userAgent: sent unless a probe sets its own.
    public init(dialThreads: Int = 2, userAgent: String = ProbeIO.defaultUserAgent) throws {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.certificateVerification = .none  // the kubelet does not verify probe certificates
        tls.shutdownTimeout = .zero  // send close_notify and go, as Go does; don't wait for the peer's
        let tlsContext = try NIOSSLContext(configuration: tls)
        factory = try NetnsSocketFactory(threads: dialThreads)
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        prober = HTTPProber(factory: factory, loop: group.next(), tlsContext: tlsContext, userAgent: userAgent)
    }

    /// An `httpGet` probe from inside `netns` (e.g. `/proc/<pid>/ns/net`); `timeout` covers
    /// connect, headers, body and redirects.
    public func http(_ target: HTTPProbeTarget, netns: String, timeout: Duration) async -> ProbeOutcome {
        await prober.run(target, netns: netns, deadline: .now() + TimeAmount(timeout))
    }

    /// A `tcpSocket` probe: success once connected; the connection is closed at once.
    public func tcp(host: String = "127.0.0.1", port: Int, netns: String, timeout: Duration) async -> ProbeOutcome {
        do {
            try await factory.connectAndClose(host: host, port: port, netns: netns,
                                              deadline: .now() + TimeAmount(timeout))
            return .success(output: "")
        } catch let error as NetnsError {
            return .unknown(error: error.description)
        } catch {
            return .failure(output: "\(error)")
        }
    }

    /// Forget a pod's namespace (close its cached fd) once the pod is gone.
    public func release(netns: String) {
        factory.release(netns: netns)
    }

    /// Fail probes in flight, stop the dial threads and the event loop.
    public func shutdown() async throws {
        await factory.shutdown()
        try await group.shutdownGracefully()
    }
}
