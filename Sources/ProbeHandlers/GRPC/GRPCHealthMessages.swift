import NIOCore

/// The two messages of grpc.health.v1 (grpc/health/v1/health.proto), encoded by hand: the
/// request has one string field and the response one enum field, so a protobuf library would
/// be all weight and no use.
enum GRPCHealthMessages {
    /// `HealthCheckRequest{service = 1}`; proto3 leaves an empty string out entirely.
    static func request(service: String) -> ByteBuffer {
        var buffer = ByteBuffer()
        guard !service.isEmpty else { return buffer }
        buffer.writeInteger(UInt8(0x0A))  // field 1, wire type 2 (length-delimited)
        writeVarint(UInt64(service.utf8.count), to: &buffer)
        buffer.writeString(service)
        return buffer
    }

    /// `HealthCheckResponse.status` (field 1, an enum); 0 (UNKNOWN) when absent, the last one
    /// when repeated, as protobuf decoders do. Unknown fields are skipped.
    static func servingStatus(in message: ByteBuffer) throws(ProtobufError) -> Int {
        var buffer = message
        var status = 0
        while buffer.readableBytes > 0 {
            let key = try readVarint(&buffer)
            let field = key >> 3
            guard field != 0 else { throw .invalidWireFormat }
            switch key & 7 {
            case 0:
                let value = try readVarint(&buffer)
                // An enum is an int32: the low 32 bits, sign-extended, as Go's decoder keeps them.
                if field == 1 { status = Int(Int32(truncatingIfNeeded: value)) }
            case 1:
                try skip(8, in: &buffer)
            case 2:
                try skip(try readVarint(&buffer), in: &buffer)
            case 5:
                try skip(4, in: &buffer)
            default:
                throw .invalidWireFormat
            }
        }
        return status
    }

    /// The enum's names (HealthCheckResponse.ServingStatus); Go's String() of a number the enum
    /// does not define is the number itself.
    static func statusName(_ status: Int) -> String {
        switch status {
        case 0: "UNKNOWN"
        case 1: "SERVING"
        case 2: "NOT_SERVING"
        case 3: "SERVICE_UNKNOWN"
        default: "\(status)"
        }
    }

    static let serving = 1

    private static func writeVarint(_ value: UInt64, to buffer: inout ByteBuffer) {
        var rest = value
        while rest >= 0x80 {
            buffer.writeInteger(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        buffer.writeInteger(UInt8(rest))
    }

    private static func skip(_ count: UInt64, in buffer: inout ByteBuffer) throws(ProtobufError) {
        guard count <= UInt64(buffer.readableBytes) else { throw .invalidWireFormat }
        buffer.moveReaderIndex(forwardBy: Int(count))
    }

    private static func readVarint(_ buffer: inout ByteBuffer) throws(ProtobufError) -> UInt64 {
        var value: UInt64 = 0
        for shift in stride(from: 0, to: 70, by: 7) {
            guard let byte = buffer.readInteger(as: UInt8.self), shift < 64 else { throw .invalidWireFormat }
            value |= UInt64(byte & 0x7F) << UInt64(shift)
            if byte < 0x80 { return value }
        }
        throw .invalidWireFormat
    }
}

/// A response that is not valid protobuf; the text is Go protobuf's.
enum ProtobufError: Error, CustomStringConvertible {
    case invalidWireFormat

    var description: String { "proto: cannot parse invalid wire-format data" }
}

/// gRPC's framing (PROTOCOL-HTTP2.md, "Length-Prefixed-Message"): a compressed flag byte, a
/// 4-byte big-endian length, the message.
enum GRPCFraming {
    /// grpc-go's default limit on a received message (4 MiB): a larger one fails the call
    /// before a byte of it is kept.
    static let maxReceiveMessageSize = 4 * 1024 * 1024

    static func frame(_ message: ByteBuffer) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writeInteger(UInt8(0))  // not compressed
        buffer.writeInteger(UInt32(message.readableBytes))
        buffer.writeImmutableBuffer(message)
        return buffer
    }
}
