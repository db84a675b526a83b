import NIOCore
import NIOHTTP1
import NIOSSL

/// Sends one GET as soon as the adopted socket is active, collects the response head and the
/// first 10 KiB of body, then completes `promise` and closes the channel. It owns the probe's
/// deadline, so the channel is closed on every path: response, cap, error, EOF or timeout.
final class HTTPProbeResponseHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundOut = HTTPClientRequestPart

    private enum State {
        case idle
        case awaitingHead
        case readingBody(status: Int, location: String?)
        case done
    }

    private let request: HTTPRequestHead
    private let deadline: NIODeadline
    private let promise: EventLoopPromise<HTTPProbeResponse>
    private var state = State.idle
    private var body = ByteBuffer()
    private var timer: Scheduled<Void>?

    init(request: HTTPRequestHead, deadline: NIODeadline, promise: EventLoopPromise<HTTPProbeResponse>) {
        self.request = request
        self.deadline = deadline
        self.promise = promise
    }

    func handlerAdded(context: ChannelHandlerContext) {
        timer = context.eventLoop.assumeIsolated().scheduleTask(deadline: deadline) {
            if case .readingBody = self.state {
                self.fail(context, HTTPExchangeError.timeoutReadingBody)
            } else {
                self.fail(context, HTTPExchangeError.timeoutAwaitingHeaders)
            }
        }
        if context.channel.isActive { sendRequest(context) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        // The channel went away before we finished: never leave the promise pending.
        if case .done = state { return }
        state = .done
        cancelTimer()
        promise.fail(HTTPExchangeError.closedBeforeResponse)
    }

    func channelActive(context: ChannelHandlerContext) {
        sendRequest(context)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch (unwrapInboundIn(data), state) {
        case (.head(let head), .awaitingHead):
            state = .readingBody(status: Int(head.status.code), location: head.headers.first(name: "location"))
        case (.body(var chunk), .readingBody):
            let room = HTTPProbeResponse.bodyLimit - body.readableBytes
            if let slice = chunk.readSlice(length: min(room, chunk.readableBytes)) {
                body.writeImmutableBuffer(slice)
            }
            // Enough read: stop here rather than drain a large body.
            if body.readableBytes >= HTTPProbeResponse.bodyLimit { succeed(context) }
        case (.end, .readingBody):
            succeed(context)
        default:
            break
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        fail(context, HTTPExchangeError.closedBeforeResponse)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A TLS peer that closes without close_notify after sending the body is common; the
        // response is complete as far as a probe cares.
        if case .readingBody = state, let tlsError = error as? NIOSSLError, case .uncleanShutdown = tlsError {
            return succeed(context)
        }
        fail(context, error)
    }

    private func sendRequest(_ context: ChannelHandlerContext) {
        guard case .idle = state else { return }
        state = .awaitingHead
        context.write(wrapOutboundOut(.head(request)), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }

    private func succeed(_ context: ChannelHandlerContext) {
        guard case .readingBody(let status, let location) = state else { return }
        let response = HTTPProbeResponse(status: status, location: location, body: String(buffer: body))
        finish(context) { promise.succeed(response) }
    }

    private func fail(_ context: ChannelHandlerContext, _ error: any Error) {
        finish(context) { promise.fail(error) }
    }

    /// The first ending wins. The socket is closed before the waiter hears of the result, so
    /// no probe is reported done while its connection is still open.
    private func finish(_ context: ChannelHandlerContext, _ resolve: () -> Void) {
        if case .done = state { return }
        state = .done
        cancelTimer()
        context.close(promise: nil)
        resolve()
    }

    private func cancelTimer() {
        timer?.cancel()
        timer = nil
    }
}
