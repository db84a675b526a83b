import NIOCore
import NIOHTTP2
import Testing

@testable import ProbeHandlers

/// Pure logic of the gRPC probe: the hand-encoded health messages, the status texts grpc-go
/// writes and the kubelet's outputs. No namespace, no root.
@Suite("gRPC probe messages and statuses")
struct GRPCWireTests {
    @Test func requestEncodesTheServiceAsField1() {
        #expect(Array(buffer: GRPCHealthMessages.request(service: "")) == [])
        #expect(Array(buffer: GRPCHealthMessages.request(service: "db")) == [0x0A, 2, UInt8(ascii: "d"), UInt8(ascii: "b")])
        let long = String(repeating: "s", count: 200)
        #expect(Array(buffer: GRPCHealthMessages.request(service: long)).prefix(3) == [0x0A, 0xC8, 0x01])
    }

    @Test func framingIsFlagLengthMessage() {
        let framed = GRPCFraming.frame(GRPCHealthMessages.request(service: "db"))
        #expect(Array(buffer: framed) == [0, 0, 0, 0, 4, 0x0A, 2, UInt8(ascii: "d"), UInt8(ascii: "b")])
    }

    @Test(arguments: [
        ([UInt8](), 0),                                  // UNKNOWN is left out by proto3
        ([0x08, 0x01], 1),
        ([0x08, 0x02], 2),
        ([0x08, 0x01, 0x08, 0x02], 2),                   // the last one wins
        ([0x12, 0x02, 0x61, 0x62, 0x08, 0x01], 1),       // an unknown string field first
        ([0x19, 1, 2, 3, 4, 5, 6, 7, 8, 0x08, 0x03], 3), // an unknown fixed64 field first
        ([0x08, 0x87, 0x01], 135),
    ])
    func responseStatusIsField1(_ bytes: [UInt8], _ status: Int) throws {
        #expect(try GRPCHealthMessages.servingStatus(in: ByteBuffer(bytes: bytes)) == status)
    }

    @Test(arguments: [[0x08], [0x12, 0x05, 0x61], [0x0F], [0x00, 0x01]] as [[UInt8]])
    func malformedResponsesAreRefused(_ bytes: [UInt8]) {
        #expect(throws: ProtobufError.invalidWireFormat) { try GRPCHealthMessages.servingStatus(in: ByteBuffer(bytes: bytes)) }
    }

    @Test func statusNamesFollowTheEnum() {
        #expect((0...4).map(GRPCHealthMessages.statusName) == ["UNKNOWN", "SERVING", "NOT_SERVING", "SERVICE_UNKNOWN", "4"])
    }

    /// grpc-go's internal/grpcutil encodeTimeout.
    @Test(arguments: [
        (Int64(0), "0n"), (1, "1n"), (99_999_999, "99999999n"), (100_000_000, "100000u"),
        (999_999_999, "1000000u"), (1_000_000_000, "1000000u"), (200_000_000_000, "200000m"),
        (100_000_000_000_000, "100000S"),
    ])
    func grpcTimeoutUsesTheFinestUnitThatFits(_ nanos: Int64, _ header: String) {
        #expect(grpcTimeoutHeader(nanos) == header)
    }

    @Test func grpcMessageIsPercentDecoded() {
        #expect(GRPCStatus.decodeMessage("100%25 down: %C3%A9") == "100% down: é")
        #expect(GRPCStatus.decodeMessage("bad %zz escape %") == "bad %zz escape %")
    }

    @Test func statusTextsAreGrpcGos() {
        #expect("\(GRPCStatus(code: 5, message: ""))" == "rpc error: code = NotFound desc = ")
        #expect("\(GRPCStatus(code: 42, message: "x"))" == "rpc error: code = Code(42) desc = x")
        #expect(GRPCStatus.httpMismatch(status: 404, contentType: "text/html")
            == GRPCStatus(code: 12, message: "unexpected HTTP status code received from server: 404 (Not Found); transport: received unexpected content-type \"text/html\""))
        #expect(GRPCStatus.httpMismatch(status: 503, contentType: nil)
            == GRPCStatus(code: 14, message: "unexpected HTTP status code received from server: 503 (Service Unavailable); malformed header: missing HTTP content-type"))
        #expect(GRPCStatus.httpMismatch(status: 200, contentType: "application/json")
            == GRPCStatus(code: 2, message: "transport: received unexpected content-type \"application/json\""))
        #expect(GRPCStatus.isGRPCContentType("application/grpc+proto"))
        #expect(!GRPCStatus.isGRPCContentType("application/grpc-web"))
        #expect(GRPCStatus.reset(.refusedStream, deadlinePassed: false)
            == GRPCStatus(code: 14, message: "stream terminated by RST_STREAM with error code: REFUSED_STREAM"))
        #expect(GRPCStatus.reset(.cancel, deadlinePassed: true).code == GRPCStatus.deadlineExceeded)
    }

    /// pkg/probe/grpc/grpc.go's outputs, one per way a probe ends.
    @Test func outcomesAreTheKubelets() {
        let target = GRPCProbeTarget(host: "10.85.0.7", port: 2379)
        func outcome(_ result: GRPCCallResult, _ timeout: Duration = .seconds(1)) -> ProbeOutcome {
            GRPCProber.outcome(result, target: target, timeout: timeout)
        }
        #expect(outcome(.servingStatus(1)) == .success(output: "service healthy"))
        #expect(outcome(.servingStatus(2)) == .failure(output: "service unhealthy (responded with \"NOT_SERVING\")"))
        #expect(outcome(.servingStatus(0)) == .failure(output: "service unhealthy (responded with \"UNKNOWN\")"))
        #expect(outcome(.connectTimeout, .seconds(90))
            == .failure(output: "timeout: failed to connect service \"10.85.0.7:2379\" within 1m30s: context deadline exceeded"))
        #expect(outcome(.failed(GRPCStatus(code: 4, message: "context deadline exceeded")))
            == .failure(output: "timeout: health rpc did not complete within 1s"))
        #expect(outcome(.failed(GRPCStatus(code: 12, message: "Method not found!")))
            == .failure(output: "error: this server does not implement the grpc health protocol (grpc.health.v1.Health): Method not found!"))
        #expect(outcome(.failed(GRPCStatus(code: 5, message: "")))
            == .failure(output: "error: health rpc probe failed: rpc error: code = NotFound desc = "))
        #expect(GRPCProbeTarget(host: "fd00::7", port: 5000).address == "[fd00::7]:5000")
    }

    @Test func backoffIsGrpcGosDefault() {
        #expect(GRPCProber.backoff(retries: 0) == .seconds(1))
        for _ in 0..<20 {
            let second = GRPCProber.backoff(retries: 1)
            #expect(second >= .milliseconds(1280) && second <= .milliseconds(1920))
            #expect(GRPCProber.backoff(retries: 30) <= .seconds(144))
        }
    }
}
