import Glibc
import GoFormat
import NIOCore
import NIOPosix
import NIOSSL
import Synchronization

/// Probe I/O for every pod of a supervisor: one SwiftNIO event loop drives all HTTP, TCP and gRPC probes, a
/// few dial threads make the sockets inside each pod's network namespace.
public final class ProbeIO: Sendable {
    /// `User-Agent` the kubelet sends: kube-probe/<major>.<minor>.
    public static let defaultUserAgent = "kube-probe/1.35"

    private let factory: NetnsSocketFactory
    private let group: MultiThreadedEventLoopGroup
    private let dialer: LoopDialer
    private let prober: HTTPProber
    private let grpcProber: GRPCProber
    /// Set before the loop goes away: nothing may be submitted to it after that.
    private let isShutDown = Atomic<Bool>(false)
    /// The one loop every HTTP and TCP probe runs on. An actor can use it as its executor
    /// (`eventLoop.executor`): probes it starts then run and report on the same thread.
    public var eventLoop: any EventLoop { dialer.loop }

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
        dialer = try LoopDialer(loop: group.next(), factory: factory)
        prober = HTTPProber(dialer: dialer, tlsContext: tlsContext, userAgent: userAgent)
        grpcProber = GRPCProber(dialer: dialer, userAgent: userAgent)
    }

    /// An `httpGet` probe from inside `netns` (e.g. `/proc/<pid>/ns/net`); `timeout` covers
    /// connect, headers, body and redirects. The future completes on `eventLoop`, never fails.
    public func http(_ target: HTTPProbeTarget, netns: String, timeout: Duration) -> EventLoopFuture<ProbeOutcome> {
        let deadline = NIODeadline.now() + TimeAmount(timeout)
        if isShutDown.load(ordering: .acquiring) {
            return eventLoop.makeSucceededFuture(.failure(output: "Get \"\(ProbeURL(target))\": \(DialError.shutdown)"))
        }
        guard eventLoop.inEventLoop else { return eventLoop.flatSubmit { self.prober.run(target, netns: netns, deadline: deadline) } }
        return prober.run(target, netns: netns, deadline: deadline)
    }

    public func http(_ target: HTTPProbeTarget, netns: String, timeout: Duration) async -> ProbeOutcome {
        // A future of a loop that is gone never calls back: don't wait for one.
        if isShutDown.load(ordering: .acquiring) { return .failure(output: "Get \"\(ProbeURL(target))\": \(DialError.shutdown)") }
        return (try? await http(target, netns: netns, timeout: timeout).get()) ?? .unknown(error: "probe I/O is shut down")
    }

    /// A `tcpSocket` probe: success once connected; the connection is closed at once. The
    /// future completes on `eventLoop`, never fails.
    public func tcp(host: String = "127.0.0.1", port: Int, netns: String, timeout: Duration) -> EventLoopFuture<ProbeOutcome> {
        if isShutDown.load(ordering: .acquiring) { return eventLoop.makeSucceededFuture(.failure(output: "\(DialError.shutdown)")) }
        return dialer.dial(host: host, port: port, netns: netns, deadline: .now() + TimeAmount(timeout))
            .map { fd in
                close(fd)  // SO_LINGER {1, 1}: at most a second, if the peer never acknowledges
                return ProbeOutcome.success(output: "")
            }
            .recover { error in
                if let error = error as? NetnsError { return .unknown(error: error.description) }
                return .failure(output: "\(error)")
            }
    }

    public func tcp(host: String = "127.0.0.1", port: Int, netns: String, timeout: Duration) async -> ProbeOutcome {
        if isShutDown.load(ordering: .acquiring) { return .failure(output: "\(DialError.shutdown)") }
        return (try? await tcp(host: host, port: port, netns: netns, timeout: timeout).get()) ?? .unknown(error: "probe I/O is shut down")
    }

    /// A `grpc` probe: grpc.health.v1.Health/Check over h2c from inside `netns`; `timeout`
    /// covers connecting and the call. The future completes on `eventLoop`, never fails.
    public func grpc(_ target: GRPCProbeTarget, netns: String, timeout: Duration) -> EventLoopFuture<ProbeOutcome> {
        let deadline = NIODeadline.now() + TimeAmount(timeout)
        if isShutDown.load(ordering: .acquiring) {
            return eventLoop.makeSucceededFuture(.failure(output: "error: failed to connect service at \(goQuoted(target.address)): \(DialError.shutdown)"))
        }
        guard eventLoop.inEventLoop else {
            return eventLoop.flatSubmit { self.grpcProber.run(target, netns: netns, timeout: timeout, deadline: deadline) }
        }
        return grpcProber.run(target, netns: netns, timeout: timeout, deadline: deadline)
    }

    public func grpc(_ target: GRPCProbeTarget, netns: String, timeout: Duration) async -> ProbeOutcome {
        if isShutDown.load(ordering: .acquiring) {
            return .failure(output: "error: failed to connect service at \(goQuoted(target.address)): \(DialError.shutdown)")
        }
        return (try? await grpc(target, netns: netns, timeout: timeout).get()) ?? .unknown(error: "probe I/O is shut down")
    }

    /// Forget a pod's namespace (close its cached fd) once the pod is gone.
    public func release(netns: String) {
        factory.release(netns: netns)
    }

    /// Fail probes in flight, stop the dial threads and the event loop.
    public func shutdown() async throws {
        isShutDown.store(true, ordering: .releasing)
        await factory.shutdown()
        try await group.shutdownGracefully()
    }
}
