import GoFormat
import NIOCore
import NIOHPACK
import NIOHTTP2

/// One unary `/grpc.health.v1.Health/Check` call on stream 1 of an HTTP/2 connection that
/// NIOHTTP2Handler (client mode, no multiplexer) runs below it. As grpc-go, it sends nothing
/// until the server's SETTINGS have come (the connection is "ready" only then), then HEADERS
/// and one DATA frame, and reads the response headers, the length-prefixed message and the
/// trailers. It owns the probe's deadline: the channel is closed on every path, and the
/// promise completed once.
final class GRPCHealthCallHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTP2Frame
    typealias OutboundOut = HTTP2Frame

    private enum State {
        case awaitingSettings
        case awaitingHeaders
        case readingMessage
        case done
    }

    private static let stream = HTTP2StreamID(1)

    private let request: GRPCHealthRequest
    private let deadline: NIODeadline
    private let promise: EventLoopPromise<GRPCCallResult>
    private var state = State.awaitingSettings
    /// The response's DATA, kept only up to the first message (whose size is checked first).
    private var received = ByteBuffer()
    private var timer: Scheduled<Void>?

    init(request: GRPCHealthRequest, deadline: NIODeadline, promise: EventLoopPromise<GRPCCallResult>) {
        self.request = request
        self.deadline = deadline
        self.promise = promise
    }

    func handlerAdded(context: ChannelHandlerContext) {
        timer = context.eventLoop.assumeIsolated().scheduleTask(deadline: deadline) {
            if case .awaitingSettings = self.state {
                self.finish(context, .connectTimeout)
            } else {
                self.finish(context, .failed(GRPCStatus(code: GRPCStatus.deadlineExceeded, message: "context deadline exceeded")))
            }
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        if case .done = state { return }
        let result = ended(by: "connection closed")
        state = .done
        cancelTimer()
        promise.succeed(result)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        switch frame.payload {
        case .settings(.settings):
            guard case .awaitingSettings = state else { return }
            state = .awaitingHeaders
            sendRequest(context)
        case .headers(let headers) where frame.streamID == Self.stream:
            received(headers.headers, endStream: headers.endStream, context)
        case .data(let data) where frame.streamID == Self.stream:
            if case .byteBuffer(var chunk) = data.data { received(&chunk, context) }
            if data.endStream {
                finish(context, .failed(GRPCStatus(code: GRPCStatus.internal, message: "server closed the stream without sending trailers")))
            }
        case .rstStream(let code) where frame.streamID == Self.stream:
            finish(context, .failed(.reset(code, deadlinePassed: NIODeadline.now() >= deadline)))
        case .goAway(let lastStreamID, _, _):
            if case .awaitingSettings = state {
                finish(context, .notConnected("server sent GOAWAY before the call"))
            } else if lastStreamID < Self.stream {
                finish(context, .failed(GRPCStatus(code: GRPCStatus.unavailable, message: "the connection is draining")))
            }
        default:
            break
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        finish(context, ended(by: "error reading from server: EOF"))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        finish(context, ended(by: "connection error: \(error)"))
    }

    /// The connection went away: before SETTINGS the connect failed (and is retried), after it
    /// the call failed, Unavailable as in grpc-go.
    private func ended(by reason: String) -> GRPCCallResult {
        if case .awaitingSettings = state { return .notConnected(reason) }
        return .failed(GRPCStatus(code: GRPCStatus.unavailable, message: reason))
    }

    private func sendRequest(_ context: ChannelHandlerContext) {
        // grpc-go's header order (http2Client.createHeaderFields).
        var headers = HPACKHeaders()
        headers.add(name: ":method", value: "POST")
        headers.add(name: ":scheme", value: "http")
        headers.add(name: ":path", value: GRPCHealthRequest.path)
        headers.add(name: ":authority", value: request.authority)
        headers.add(name: "content-type", value: "application/grpc")
        headers.add(name: "user-agent", value: request.userAgent)
        headers.add(name: "te", value: "trailers")
        headers.add(name: "grpc-timeout", value: grpcTimeoutHeader((deadline - NIODeadline.now()).nanoseconds))
        let message = GRPCFraming.frame(GRPCHealthMessages.request(service: request.service))
        context.write(wrapOutboundOut(HTTP2Frame(streamID: Self.stream, payload: .headers(.init(headers: headers)))), promise: nil)
        let body = HTTP2Frame.FramePayload.Data(data: .byteBuffer(message), endStream: true)
        context.writeAndFlush(wrapOutboundOut(HTTP2Frame(streamID: Self.stream, payload: .data(body))), promise: nil)
    }

    private func received(_ headers: HPACKHeaders, endStream: Bool, _ context: ChannelHandlerContext) {
        switch state {
        case .awaitingHeaders:
            let status = headers.first(name: ":status").flatMap { Int($0) }
            let contentType = headers.first(name: "content-type")
            guard status == 200, let contentType, GRPCStatus.isGRPCContentType(contentType) else {
                return finish(context, .failed(.httpMismatch(status: status, contentType: contentType)))
            }
            if endStream {
                finish(context, result(trailers: headers))  // a trailers-only response
            } else {
                state = .readingMessage
            }
        case .readingMessage where endStream:
            finish(context, result(trailers: headers))
        default:
            break
        }
    }

    /// Keeps the first message's bytes; a too large or second message fails the call at once.
    private func received(_ chunk: inout ByteBuffer, _ context: ChannelHandlerContext) {
        guard case .readingMessage = state else { return }
        received.writeBuffer(&chunk)
        guard let flag = received.getInteger(at: received.readerIndex, as: UInt8.self),
            let length = received.getInteger(at: received.readerIndex + 1, as: UInt32.self)
        else { return }
        if length > GRPCFraming.maxReceiveMessageSize {
            let text = "grpc: received message larger than max (\(length) vs. \(GRPCFraming.maxReceiveMessageSize))"
            return finish(context, .failed(GRPCStatus(code: GRPCStatus.resourceExhausted, message: text)))
        }
        if flag != 0 {
            let text = flag == 1 ? "grpc: compressed flag set with identity or empty encoding"
                : "grpc: received unexpected payload format \(flag)"
            return finish(context, .failed(GRPCStatus(code: GRPCStatus.internal, message: text)))
        }
        if received.readableBytes > 5 + Int(length) {
            let text = "cardinality violation: expected <EOF> for non server-streaming RPCs, but received another message"
            return finish(context, .failed(GRPCStatus(code: GRPCStatus.internal, message: text)))
        }
    }

    /// The call's end from its trailers: a non-OK grpc-status fails it; OK needs one whole message.
    private func result(trailers: HPACKHeaders) -> GRPCCallResult {
        let message = trailers.first(name: "grpc-message").map(GRPCStatus.decodeMessage) ?? ""
        // No grpc-status at all reads as Unknown (grpc-go's decodeState).
        var code = GRPCStatus.unknown
        if let raw = trailers.first(name: "grpc-status") {
            guard let parsed = Int32(raw) else {
                let text = "transport: malformed grpc-status: strconv.ParseInt: parsing \(goQuoted(raw)): invalid syntax"
                return .failed(GRPCStatus(code: GRPCStatus.internal, message: text))
            }
            code = Int(parsed)
        }
        guard code == GRPCStatus.ok else { return .failed(GRPCStatus(code: code, message: message)) }
        guard let length = received.getInteger(at: received.readerIndex + 1, as: UInt32.self),
            let body = received.getSlice(at: received.readerIndex + 5, length: Int(length))
        else {
            let text = "cardinality violation: expected <Message> for non server-streaming RPCs, but received <EOF>"
            return .failed(GRPCStatus(code: GRPCStatus.internal, message: text))
        }
        do {
            return .servingStatus(try GRPCHealthMessages.servingStatus(in: body))
        } catch {
            return .failed(GRPCStatus(code: GRPCStatus.internal, message: "grpc: failed to unmarshal the received message: \(error)"))
        }
    }

    /// The first ending wins; the socket is closed before the waiter hears of the result.
    private func finish(_ context: ChannelHandlerContext, _ result: GRPCCallResult) {
        if case .done = state { return }
        state = .done
        cancelTimer()
        context.close(promise: nil)
        promise.succeed(result)
    }

    private func cancelTimer() {
        timer?.cancel()
        timer = nil
    }
}
