import GoFormat
import NIOCore
import Probes

/// The kubelet's gRPC probe (pkg/probe/grpc/grpc.go): grpc-go's blocking dial (WithBlock,
/// insecure credentials) then one `grpc.health.v1.Health/Check`, both under one deadline (the
/// probe's timeoutSeconds). Everything runs on the event loop, from the dial to the outcome.
/// The messages are the kubelet's, word for word.
struct GRPCProber: Sendable {
    let dialer: LoopDialer
    let userAgent: String
    var loop: any EventLoop { dialer.loop }

    func run(_ target: GRPCProbeTarget, netns: String, timeout: Duration, deadline: NIODeadline) -> EventLoopFuture<ProbeOutcome> {
        let request = GRPCHealthRequest(authority: target.address, service: target.service, userAgent: userAgent)
        return attempt(0, target, request: request, netns: netns, deadline: deadline)
            .map { Self.outcome($0, target: target, timeout: timeout) }
            .recover { error in
                if let error = error as? NetnsError { return .unknown(error: error.description) }
                return .failure(output: "error: failed to connect service at \(goQuoted(target.address)): \(error)")
            }
    }

    /// One connection attempt. A blocking grpc-go dial does not give up on a refused or broken
    /// connection: it tries again after a back-off until the deadline, which then reports the
    /// connect timeout. So a closed port fails after timeoutSeconds, as on a node.
    private func attempt(_ index: Int, _ target: GRPCProbeTarget, request: GRPCHealthRequest, netns: String,
                         deadline: NIODeadline) -> EventLoopFuture<GRPCCallResult> {
        dialer.dial(host: target.host, port: target.port, netns: netns, deadline: deadline)
            .flatMap { fd in GRPCExchange.run(socket: fd, on: loop, request: request, deadline: deadline) }
            .flatMapError { error -> EventLoopFuture<GRPCCallResult> in
                guard let dial = error as? DialError, dial.kind != .shutdown else { return loop.makeFailedFuture(error) }
                return loop.makeSucceededFuture(dial.kind == .timeout ? .connectTimeout : .notConnected(dial.description))
            }
            .flatMap { result in
                guard case .notConnected = result else { return loop.makeSucceededFuture(result) }
                let retryAt = NIODeadline.now() + Self.backoff(retries: index)
                if retryAt >= deadline {
                    return loop.scheduleTask(deadline: deadline) { GRPCCallResult.connectTimeout }.futureResult
                }
                return loop.scheduleTask(deadline: retryAt) {}.futureResult.flatMap {
                    attempt(index + 1, target, request: request, netns: netns, deadline: deadline)
                }
            }
    }

    /// grpc-go's default connection back-off (backoff.DefaultConfig): 1 s, then ×1.6 per
    /// retry with ±20% jitter, at most 120 s.
    static func backoff(retries: Int) -> TimeAmount {
        guard retries > 0 else { return .seconds(1) }
        var seconds = 1.0
        for _ in 0..<retries where seconds < 120 { seconds *= 1.6 }
        seconds = min(seconds, 120) * (1 + 0.2 * Double.random(in: -1...1))
        return .nanoseconds(Int64(seconds * 1e9))
    }

    /// The kubelet's result and output for how the call ended.
    static func outcome(_ result: GRPCCallResult, target: GRPCProbeTarget, timeout: Duration) -> ProbeOutcome {
        switch result {
        case .servingStatus(GRPCHealthMessages.serving):
            return .success(output: "service healthy")
        case .servingStatus(let status):
            return .failure(output: "service unhealthy (responded with \(goQuoted(GRPCHealthMessages.statusName(status))))")
        case .connectTimeout, .notConnected:
            return .failure(output: "timeout: failed to connect service \(goQuoted(target.address)) within \(goDuration(timeout)): context deadline exceeded")
        case .failed(let status) where status.code == GRPCStatus.unimplemented:
            return .failure(output: "error: this server does not implement the grpc health protocol (grpc.health.v1.Health): \(status.message)")
        case .failed(let status) where status.code == GRPCStatus.deadlineExceeded:
            return .failure(output: "timeout: health rpc did not complete within \(goDuration(timeout))")
        case .failed(let status):
            return .failure(output: "error: health rpc probe failed: \(status)")
        }
    }
}
