import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// Serves `GET /metrics` (the text `text` returns, in the Prometheus text format 0.0.4) over
/// HTTP/1.1 on a TCP address, on one SwiftNIO event loop thread of its own: a scrape never runs
/// on the probe loop. Any other path is 404, any other method on `/metrics` 405.
public final class MetricsHTTPServer: Sendable {
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    private let group: MultiThreadedEventLoopGroup
    private let channel: any Channel
    private let closed = Atomic<Bool>(false)
    /// The port listened on (the one the system picked when asked for 0).
    public let port: Int

    public init(host: String, port: Int, text: @escaping @Sendable () async -> String) throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        do {
            channel = try ServerBootstrap(group: group)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let pipeline = channel.pipeline.syncOperations
                        // A scraper keeps its connection between scrapes; one silent this long is gone.
                        try pipeline.addHandler(IdleStateHandler(readTimeout: .minutes(5)))
                        try pipeline.configureHTTPServerPipeline()
                        try pipeline.addHandler(MetricsRequestHandler(text: text))
                    }
                }
                .bind(host: host, port: port)
                .wait()
        } catch {
            group.shutdownGracefully { _ in }
            throw SupervisorError("metrics: cannot listen on \(host):\(port): \(error)")
        }
        self.group = group
        self.port = channel.localAddress?.port ?? port
    }

    /// Stops listening and lets the loop's thread go; connections in progress are closed with
    /// it. Returns at once; calling it again does nothing.
    public func close() {
        guard !closed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        channel.close(promise: nil)
        group.shutdownGracefully { _ in }
    }

    deinit { close() }
}

/// One connection's requests, one at a time (NIO's server pipeline holds the next request back
/// until this one's response has ended).
private final class MetricsRequestHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let text: @Sendable () async -> String
    private var request: HTTPRequestHead?

    init(text: @escaping @Sendable () async -> String) {
        self.text = text
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            request = head
        case .body:
            break
        case .end:
            guard let head = request else { return }
            request = nil
            respond(to: head, context: context)
        }
    }

    private func respond(to head: HTTPRequestHead, context: ChannelHandlerContext) {
        let path = head.uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        guard path == "/metrics" else {
            return send(.notFound, "404 page not found\n", to: head, context: context)
        }
        guard head.method == .GET || head.method == .HEAD else {
            return send(.methodNotAllowed, "405 method not allowed\n", to: head, context: context, extra: [("Allow", "GET, HEAD")])
        }
        let body = context.eventLoop.makePromise(of: String.self)
        body.completeWithTask(text)
        body.futureResult.assumeIsolated().whenSuccess { text in
            self.send(.ok, text, to: head, context: context, contentType: MetricsHTTPServer.contentType)
        }
    }

    private func send(_ status: HTTPResponseStatus, _ body: String, to request: HTTPRequestHead, context: ChannelHandlerContext,
                      contentType: String = "text/plain; charset=utf-8", extra: [(String, String)] = []) {
        var headers = HTTPHeaders([("Content-Type", contentType), ("Content-Length", "\(body.utf8.count)")] + extra)
        let keepAlive = request.isKeepAlive
        headers.add(name: "Connection", value: keepAlive ? "keep-alive" : "close")
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: request.version, status: status, headers: headers))),
                      promise: nil)
        if request.method != .HEAD {
            context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(string: body)))), promise: nil)
        }
        let written = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive {
            let channel = context.channel
            written.whenComplete { _ in channel.close(promise: nil) }
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent {
            context.close(promise: nil)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
