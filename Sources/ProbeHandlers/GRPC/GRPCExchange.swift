import NIOCore
import NIOHTTP2
import NIOPosix

/// One health check over a socket the dialer already connected, in cleartext HTTP/2 with prior
/// knowledge (h2c: the client preface straight away, as grpc-go's insecure transport does).
/// SwiftNIO adopts the fd, so it is closed with the channel on every path.
enum GRPCExchange {
    static func run(socket fd: CInt, on loop: any EventLoop, request: GRPCHealthRequest,
                    deadline: NIODeadline) -> EventLoopFuture<GRPCCallResult> {
        let promise = loop.makePromise(of: GRPCCallResult.self)
        ClientBootstrap(group: loop)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let pipeline = channel.pipeline.syncOperations
                    // No multiplexer: the call handler sees every frame and drives stream 1 itself.
                    try pipeline.addHandler(NIOHTTP2Handler(mode: .client))
                    try pipeline.addHandler(GRPCHealthCallHandler(request: request, deadline: deadline, promise: promise))
                }
            }
            .withConnectedSocket(fd)
            .whenFailure { promise.succeed(.notConnected("\($0)")) }  // never set up: the handler cannot report
        return promise.futureResult
    }
}
