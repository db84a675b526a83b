import Foundation
import ProbeHandlers
import Testing

@Suite(
    "TCP probes, namespaces and resources",
    .enabled(if: Host.canRunNamespacedServer, "needs root, unshare, ip and python3 to make a network namespace")
)
struct TCPAndNamespaceTests {
    let timeout = Duration.seconds(3)

    @Test func tcpConnectIsSuccess() async throws {
        try await withNamespacedServer { server, io in
            #expect(await io.tcp(port: server.port, netns: server.netns, timeout: timeout) == .success(output: ""))
        }
    }

    @Test func tcpClosedPortIsRefused() async throws {
        try await withNamespacedServer { server, io in
            #expect(await io.tcp(port: server.closedPort, netns: server.netns, timeout: timeout)
                == .failure(output: "dial tcp 127.0.0.1:\(server.closedPort): connect: connection refused"))
        }
    }

    @Test func theSamePortFromTheHostNamespaceIsRefused() async throws {
        try await withNamespacedServer { server, io in
            #expect(Host.loopbackPortIsClosed(server.port))
            #expect(await io.tcp(port: server.port, netns: "/proc/self/ns/net", timeout: timeout)
                == .failure(output: "dial tcp 127.0.0.1:\(server.port): connect: connection refused"))
            let fromHost = await io.http(server.target("/ok"), netns: "/proc/self/ns/net", timeout: timeout)
            #expect(!fromHost.isSuccess)
        }
    }

    @Test func unusableNamespaceIsUnknown() async throws {
        let io = try ProbeIO()
        let missing = await io.tcp(port: 80, netns: "/nonexistent/ns/net", timeout: timeout)
        let notNet = await io.http(HTTPProbeTarget(port: 80), netns: "/proc/self/ns/mnt", timeout: timeout)
        try await io.shutdown()
        #expect(missing
            == .unknown(error: "cannot use network namespace /nonexistent/ns/net: no such file or directory"))
        #expect(notNet == .unknown(error: "cannot use network namespace /proc/self/ns/mnt: not a network namespace"))
    }

    @Test func everyPathClosesItsSockets() async throws {
        try await withNamespacedServer { server, io in
            for path in ["/ok", "/fail", "/redirect-same", "/redirect-loop", "/redirect-other", "/big", "/headers"] {
                _ = await io.http(server.target(path), netns: server.netns, timeout: timeout)
            }
            _ = await io.http(server.target("/slow"), netns: server.netns, timeout: .milliseconds(200))
            _ = await io.http(HTTPProbeTarget(port: server.closedPort), netns: server.netns, timeout: timeout)
            _ = await io.tcp(port: server.port, netns: server.netns, timeout: timeout)
            _ = await io.tcp(port: server.closedPort, netns: server.netns, timeout: timeout)
            // Sockets are closed before a probe reports, so nothing may be left open on our side.
            #expect(server.openClientSockets() == [])
            #expect(server.namespaceFDsHeldByUs() == 1, "the cached namespace fd")
            io.release(netns: server.netns)
            #expect(server.namespaceFDsHeldByUs() == 0)
        }
    }

    @Test func manyPodsShareOneLoop() async throws {
        try await withNamespacedServer { first, io in
            let second = try await NamespacedServer.start(tls: false)
            let outcomes = await withTaskGroup(of: ProbeOutcome.self) { group in
                for index in 0..<200 {
                    let server = index.isMultiple(of: 2) ? first : second
                    group.addTask {
                        index.isMultiple(of: 3)
                            ? await io.tcp(port: server.port, netns: server.netns, timeout: .seconds(5))
                            : await io.http(server.target("/ok"), netns: server.netns, timeout: .seconds(5))
                    }
                }
                return await group.reduce(into: []) { $0.append($1) }
            }
            await second.stopped()
            #expect(outcomes.count == 200)
            let failed = outcomes.filter { !$0.isSuccess }
            #expect(failed.isEmpty, "\(failed.prefix(3))")
        }
    }

    @Test func shutdownEndsProbesInFlight() async throws {
        try await withNamespacedServer { server, io in
            let clock = ContinuousClock()
            let start = clock.now
            let slow = Task { await io.http(server.target("/slow"), netns: server.netns, timeout: .seconds(10)) }
            try await Task.sleep(for: .milliseconds(300))
            try await io.shutdown()
            let outcome = await slow.value
            #expect(!outcome.isSuccess)
            #expect(clock.now - start < .seconds(3))
            #expect(await io.tcp(port: server.port, netns: server.netns, timeout: timeout)
                == .failure(output: "dial tcp: probe I/O is shut down"))
        }
    }
}
