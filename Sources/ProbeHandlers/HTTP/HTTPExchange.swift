import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// One request/response over a socket the dial thread already connected: SwiftNIO adopts the
/// fd (taking ownership: it is closed with the channel, on every path).
enum HTTPExchange {
    struct TLS: Sendable {
        let context: NIOSSLContext
        /// SNI name; nil for IP literals, which TLS must not send.
        let serverName: String?
    }

    static func run(socket fd: CInt, on loop: any EventLoop, request: HTTPRequestHead, tls: TLS?,
                    deadline: NIODeadline) -> EventLoopFuture<HTTPProbeResponse> {
        let promise = loop.makePromise(of: HTTPProbeResponse.self)
        ClientBootstrap(group: loop)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let pipeline = channel.pipeline.syncOperations
                    if let tls {
                        let handler = try NIOSSLClientHandler(context: tls.context, serverHostname: tls.serverName)
                        try pipeline.addHandler(handler)
                    }
                    try pipeline.addHTTPClientHandlers()
                    let handler = HTTPProbeResponseHandler(request: request, deadline: deadline, promise: promise)
                    try pipeline.addHandler(handler)
                }
            }
            .withConnectedSocket(fd)
            .whenFailure { promise.fail($0) }  // never set up: the handler cannot report
        return promise.futureResult
    }
}
