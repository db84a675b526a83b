import GoFormat
import NIOHTTP2

/// A gRPC status as grpc-go's client reports it: the code and its message. Its description is
/// grpc-go's error text (`rpc error: code = NotFound desc = unknown service`), which is what the
/// kubelet puts in a failed probe's output.
struct GRPCStatus: Error, Sendable, Equatable, CustomStringConvertible {
    /// The codes of grpc/codes; names as grpc-go's Code.String() writes them.
    static let ok = 0
    static let canceled = 1
    static let unknown = 2
    static let deadlineExceeded = 4
    static let resourceExhausted = 8
    static let unimplemented = 12
    static let `internal` = 13
    static let unavailable = 14

    let code: Int
    let message: String

    init(code: Int, message: String) {
        self.code = code
        self.message = message
    }

    var description: String { "rpc error: code = \(Self.name(code)) desc = \(message)" }

    static func name(_ code: Int) -> String {
        let names = ["OK", "Canceled", "Unknown", "InvalidArgument", "DeadlineExceeded", "NotFound", "AlreadyExists",
                     "PermissionDenied", "ResourceExhausted", "FailedPrecondition", "Aborted", "OutOfRange",
                     "Unimplemented", "Internal", "Unavailable", "DataLoss", "Unauthenticated"]
        return names.indices.contains(code) ? names[code] : "Code(\(code))"
    }

    /// A response whose HTTP status is not 200 or whose content-type is not gRPC's
    /// (grpc-go's http2Client.operateHeaders and HTTPStatusConvTab).
    static func httpMismatch(status: Int?, contentType: String?) -> GRPCStatus {
        // No :status at all: Internal; a status, 200 included, outside the table: Unknown.
        var code = Self.internal
        var errors: [String] = []
        if let status {
            let table = [400: Self.internal, 401: 16, 403: 7, 404: Self.unimplemented, 429: Self.unavailable,
                         502: Self.unavailable, 503: Self.unavailable, 504: Self.unavailable]
            code = table[status] ?? Self.unknown
            if status != 200 {
                errors.append("unexpected HTTP status code received from server: \(status) (\(httpStatusText(status)))")
            }
        } else {
            errors.append("malformed header: missing HTTP status")
        }
        if let contentType {
            if !isGRPCContentType(contentType) {
                errors.append("transport: received unexpected content-type \(goQuoted(contentType))")
            }
        } else {
            errors.append("malformed header: missing HTTP content-type")
        }
        return GRPCStatus(code: code, message: errors.joined(separator: "; "))
    }

    /// `application/grpc`, alone or with a `+proto`-like or `;params` suffix.
    static func isGRPCContentType(_ value: String) -> Bool {
        let lower = value.lowercased()
        guard lower.hasPrefix("application/grpc") else { return false }
        let rest = lower.dropFirst("application/grpc".count)
        return rest.isEmpty || rest.hasPrefix("+") || rest.hasPrefix(";")
    }

    /// A stream reset by the server (grpc-go's http2ErrConvTab).
    static func reset(_ error: HTTP2ErrorCode, deadlinePassed: Bool) -> GRPCStatus {
        let (name, mapped): (String, Int) = switch error {
        case .noError: ("NO_ERROR", Self.internal)
        case .protocolError: ("PROTOCOL_ERROR", Self.internal)
        case .internalError: ("INTERNAL_ERROR", Self.internal)
        case .flowControlError: ("FLOW_CONTROL_ERROR", Self.resourceExhausted)
        case .settingsTimeout: ("SETTINGS_TIMEOUT", Self.internal)
        case .streamClosed: ("STREAM_CLOSED", Self.internal)
        case .frameSizeError: ("FRAME_SIZE_ERROR", Self.internal)
        case .refusedStream: ("REFUSED_STREAM", Self.unavailable)
        case .cancel: ("CANCEL", Self.canceled)
        case .compressionError: ("COMPRESSION_ERROR", Self.internal)
        case .connectError: ("CONNECT_ERROR", Self.internal)
        case .enhanceYourCalm: ("ENHANCE_YOUR_CALM", Self.resourceExhausted)
        case .inadequateSecurity: ("INADEQUATE_SECURITY", 7)
        case .http11Required: ("HTTP_1_1_REQUIRED", Self.internal)
        default: ("unknown error code 0x\(String(error.networkCode, radix: 16))", Self.unknown)
        }
        let code = mapped == Self.canceled && deadlinePassed ? Self.deadlineExceeded : mapped
        return GRPCStatus(code: code, message: "stream terminated by RST_STREAM with error code: \(name)")
    }

    /// `grpc-message` is percent-encoded (PROTOCOL-HTTP2.md); a bad escape is kept as it is.
    static func decodeMessage(_ value: String) -> String {
        var bytes: [UInt8] = []
        var input = Array(value.utf8)[...]
        while let byte = input.popFirst() {
            if byte == UInt8(ascii: "%"), input.count >= 2,
                let high = hexValue(input[input.startIndex]), let low = hexValue(input[input.startIndex + 1]) {
                bytes.append(high << 4 | low)
                input = input.dropFirst(2)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// Go's http.StatusText for the statuses a proxy or a non-gRPC server sends; "" otherwise.
    private static func httpStatusText(_ status: Int) -> String {
        let texts = [200: "OK", 301: "Moved Permanently", 302: "Found", 400: "Bad Request", 401: "Unauthorized",
                     403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed", 408: "Request Timeout",
                     415: "Unsupported Media Type", 429: "Too Many Requests", 500: "Internal Server Error",
                     501: "Not Implemented", 502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout",
                     505: "HTTP Version Not Supported"]
        return texts[status] ?? ""
    }
}

/// The `grpc-timeout` header grpc-go sends with a deadline (internal/grpcutil/encode_duration):
/// at most 8 digits, in the finest unit that fits, rounded up.
func grpcTimeoutHeader(_ nanoseconds: Int64) -> String {
    guard nanoseconds > 0 else { return "0n" }
    let maxValue: Int64 = 100_000_000 - 1
    for (unit, suffix) in [(Int64(1), "n"), (1_000, "u"), (1_000_000, "m"), (1_000_000_000, "S"),
                           (60_000_000_000, "M")] {
        let value = (nanoseconds + unit - 1) / unit
        if value <= maxValue { return "\(value)\(suffix)" }
    }
    return "\((nanoseconds + 3_600_000_000_000 - 1) / 3_600_000_000_000)H"
}
