import Foundation
import ProbeHandlers
import Testing

/// gRPC probes against a real grpcio health server in a network namespace the test made, as
/// pkg/probe/grpc/grpc_test.go does against a real grpc-go server: every way the kubelet's
/// probe can end, with the kubelet's output.
@Suite(
    "gRPC probes against a real health server",
    .enabled(if: GRPCHealthServer.canRun, "needs root, unshare, ip and python3-grpcio (make deps)")
)
struct GRPCProbeTests {
    let timeout = Duration.seconds(3)

    @Test func servingIsSuccess() async throws {
        try await withGRPCHealthServer { server, io in
            #expect(await io.grpc(server.target(), netns: server.netns, timeout: timeout) == .success(output: "service healthy"))
        }
    }

    @Test(arguments: [
        ("down", "service unhealthy (responded with \"NOT_SERVING\")"),
        ("service-unknown", "service unhealthy (responded with \"SERVICE_UNKNOWN\")"),
        ("status-7", "service unhealthy (responded with \"7\")"),
        // grpcio-health-checking answers NOT_FOUND, without a message, for a service it does not know.
        ("no-such-service", "error: health rpc probe failed: rpc error: code = NotFound desc = "),
        // grpc-message arrives percent-encoded ("100%25 down: %C3%A9").
        ("aborted", "error: health rpc probe failed: rpc error: code = Aborted desc = 100% down: é"),
    ])
    func everyOtherAnswerIsFailure(_ service: String, _ output: String) async throws {
        try await withGRPCHealthServer { server, io in
            #expect(await io.grpc(server.target(service: service), netns: server.netns, timeout: timeout)
                == .failure(output: output))
            #expect(server.log.contains("service=\(service) "), "the server got the service name: \(server.log)")
        }
    }

    @Test func aServerWithoutTheHealthServiceIsUnimplemented() async throws {
        try await withGRPCHealthServer { server, io in
            #expect(await io.grpc(server.target(server.emptyPort), netns: server.netns, timeout: timeout) == .failure(
                output: "error: this server does not implement the grpc health protocol (grpc.health.v1.Health): Method not found!"))
        }
    }

    /// grpc-go's blocking dial retries a refused connection until the deadline: the probe fails
    /// with the connect timeout once timeoutSeconds have passed, not at the first refusal.
    @Test func aClosedPortTimesOutConnecting() async throws {
        try await withGRPCHealthServer { server, io in
            let started = ContinuousClock.now
            let outcome = await io.grpc(server.target(server.closedPort), netns: server.netns, timeout: .seconds(2))
            let elapsed = ContinuousClock.now - started
            #expect(outcome == .failure(
                output: "timeout: failed to connect service \"127.0.0.1:\(server.closedPort)\" within 2s: context deadline exceeded"))
            #expect(elapsed >= .milliseconds(1990), "reported at the deadline, after retrying: \(elapsed)")
            #expect(elapsed < .seconds(10), "bounded by timeoutSeconds: \(elapsed)")
        }
    }

    /// A listener that accepts and never sends its SETTINGS is still "connecting" for grpc-go.
    @Test func aServerThatNeverAnswersTimesOutConnecting() async throws {
        try await withGRPCHealthServer { server, io in
            let started = ContinuousClock.now
            let outcome = await io.grpc(server.target(server.silentPort), netns: server.netns, timeout: .seconds(1))
            let elapsed = ContinuousClock.now - started
            #expect(outcome == .failure(
                output: "timeout: failed to connect service \"127.0.0.1:\(server.silentPort)\" within 1s: context deadline exceeded"))
            #expect(elapsed >= .milliseconds(990) && elapsed < .seconds(10), "bounded by timeoutSeconds: \(elapsed)")
        }
    }

    /// Connected, but the handler takes 10 s: the call's share of the timeout runs out.
    @Test func aSlowCallTimesOut() async throws {
        try await withGRPCHealthServer { server, io in
            let started = ContinuousClock.now
            let outcome = await io.grpc(server.target(service: "slow"), netns: server.netns, timeout: .seconds(1))
            let elapsed = ContinuousClock.now - started
            #expect(outcome == .failure(output: "timeout: health rpc did not complete within 1s"))
            #expect(elapsed >= .milliseconds(990) && elapsed < .seconds(10), "bounded by timeoutSeconds: \(elapsed)")
        }
    }

    /// Attack: a pod answers with a 5 MiB message to make the node's prober buffer it. The
    /// length prefix alone fails the call (grpc-go's 4 MiB limit); nothing past it is kept.
    @Test func anOversizedResponseIsRefusedFromItsLengthPrefix() async throws {
        try await withGRPCHealthServer { server, io in
            #expect(await io.grpc(server.target(service: "huge"), netns: server.netns, timeout: timeout) == .failure(
                output: "error: health rpc probe failed: rpc error: code = ResourceExhausted desc = grpc: received message larger than max (5242885 vs. 4194304)"))
        }
    }

    @Test func theUserAgentIsKubeProbes() async throws {
        try await withGRPCHealthServer { server, io in
            _ = await io.grpc(server.target(), netns: server.netns, timeout: timeout)
            #expect(server.log == "service= user-agent=\(ProbeIO.defaultUserAgent)\n")
        }
    }

    @Test func theSamePortFromTheHostNamespaceFails() async throws {
        try await withGRPCHealthServer { server, io in
            #expect(Host.loopbackPortIsClosed(server.port))
            let outcome = await io.grpc(server.target(), netns: "/proc/self/ns/net", timeout: .seconds(1))
            #expect(outcome == .failure(
                output: "timeout: failed to connect service \"127.0.0.1:\(server.port)\" within 1s: context deadline exceeded"))
        }
    }

    @Test func anUnusableNamespaceIsUnknown() async throws {
        let io = try ProbeIO()
        let outcome = await io.grpc(GRPCProbeTarget(port: 80), netns: "/nonexistent/ns/net", timeout: timeout)
        try await io.shutdown()
        #expect(outcome == .unknown(error: "cannot use network namespace /nonexistent/ns/net: no such file or directory"))
    }

    @Test func everyPathClosesItsSockets() async throws {
        try await withGRPCHealthServer { server, io in
            for service in ["", "down", "no-such-service", "aborted", "huge"] {
                _ = await io.grpc(server.target(service: service), netns: server.netns, timeout: timeout)
            }
            _ = await io.grpc(server.target(service: "slow"), netns: server.netns, timeout: .milliseconds(300))
            for port in [server.emptyPort, server.silentPort, server.closedPort] {
                _ = await io.grpc(server.target(port), netns: server.netns, timeout: .milliseconds(300))
            }
            // Sockets are closed before a probe reports, so nothing may be left open on our side.
            #expect(server.openClientSockets() == [])
        }
    }

    @Test func manyProbesShareTheLoop() async throws {
        try await withGRPCHealthServer { server, io in
            let outcomes = await withTaskGroup(of: ProbeOutcome.self) { group in
                for index in 0..<100 {
                    group.addTask {
                        await io.grpc(server.target(service: index.isMultiple(of: 2) ? "" : "down"), netns: server.netns,
                                      timeout: .seconds(10))
                    }
                }
                return await group.reduce(into: []) { $0.append($1) }
            }
            #expect(outcomes.filter { $0 == .success(output: "service healthy") }.count == 50)
            #expect(outcomes.filter { $0 == .failure(output: "service unhealthy (responded with \"NOT_SERVING\")") }.count == 50)
        }
    }
}
