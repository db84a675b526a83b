import Foundation
import ProbeHandlers
import Testing

@Suite(
    "HTTP probes inside a pod's network namespace",
    .enabled(if: Host.canRunNamespacedServer, "needs root, unshare, ip and python3 to make a network namespace")
)
struct HTTPProbeTests {
    let timeout = Duration.seconds(3)

    @Test func status200IsSuccessWithTheBody() async throws {
        try await withNamespacedServer { server, io in
            let outcome = await io.http(server.target("/ok"), netns: server.netns, timeout: timeout)
            #expect(outcome == .success(output: "ok"))
        }
    }

    @Test func status500IsFailureWithoutTheBody() async throws {
        try await withNamespacedServer { server, io in
            let outcome = await io.http(server.target("/fail"), netns: server.netns, timeout: timeout)
            #expect(outcome == .failure(output: "HTTP probe failed with statuscode: 500"))
        }
    }

    @Test func sameHostRedirectIsFollowedOnANewConnection() async throws {
        try await withNamespacedServer { server, io in
            #expect(await io.http(server.target("/redirect-same"), netns: server.netns, timeout: timeout)
                == .success(output: "ok"))
            #expect(await io.http(server.target("/hits/ok"), netns: server.netns, timeout: timeout)
                == .success(output: "1"))
        }
    }

    @Test func redirectLoopFailsAfterTenRedirects() async throws {
        try await withNamespacedServer { server, io in
            let outcome = await io.http(server.target("/redirect-loop"), netns: server.netns, timeout: timeout)
            #expect(outcome == .failure(
                output: "Get \"http://127.0.0.1:\(server.port)/redirect-loop\": stopped after 10 redirects"))
            // The first request and 10 redirects; the 11th redirect is not followed.
            #expect(await io.http(server.target("/hits/redirect-loop"), netns: server.netns, timeout: timeout)
                == .success(output: "11"))
        }
    }

    @Test func redirectToAnotherHostIsAWarning() async throws {
        try await withNamespacedServer { server, io in
            let outcome = await io.http(server.target("/redirect-other"), netns: server.netns, timeout: timeout)
            #expect(outcome == .warning(output: "Probe terminated redirects, Response body: elsewhere"))
            #expect(outcome.isSuccess)
        }
    }

    @Test func slowResponseTimesOutWithinTheTimeout() async throws {
        try await withNamespacedServer { server, io in
            let clock = ContinuousClock()
            var outcome = ProbeOutcome.unknown(error: "not run")
            let elapsed = await clock.measure {
                outcome = await io.http(server.target("/slow"), netns: server.netns, timeout: .milliseconds(500))
            }
            guard case .failure(let output) = outcome else {
                Issue.record("expected a failure, got \(outcome)")
                return
            }
            #expect(output.contains("timeout"))
            #expect(output.hasPrefix("Get \"http://127.0.0.1:\(server.port)/slow\": "))
            #expect(elapsed >= .milliseconds(450) && elapsed < .seconds(3), "took \(elapsed)")
        }
    }

    @Test func closedPortIsConnectionRefused() async throws {
        try await withNamespacedServer { server, io in
            let target = HTTPProbeTarget(port: server.closedPort, path: "/ok")
            let outcome = await io.http(target, netns: server.netns, timeout: timeout)
            let address = "127.0.0.1:\(server.closedPort)"
            #expect(outcome == .failure(
                output: "Get \"http://\(address)/ok\": dial tcp \(address): connect: connection refused"))
        }
    }

    @Test func defaultHeaders() async throws {
        try await withNamespacedServer { server, io in
            let lines = try await headerLines(io, server, [])
            #expect(lines.contains("Host: 127.0.0.1:\(server.port)"))
            #expect(lines.contains("User-Agent: kube-probe/1.35"))
            #expect(lines.contains("Accept: */*"))
            #expect(lines.contains("Connection: close"))
            #expect(!lines.contains { $0.lowercased().hasPrefix("accept-encoding") })
        }
    }

    @Test func userHeadersOverrideAndRepeat() async throws {
        try await withNamespacedServer { server, io in
            let lines = try await headerLines(io, server, [
                .init(name: "User-Agent", value: "custom/2"),
                .init(name: "accept", value: "text/plain"),
                .init(name: "Host", value: "example.test"),
                .init(name: "X-Repeat", value: "a"),
                .init(name: "X-Repeat", value: "b"),
            ])
            #expect(lines.contains("Host: example.test"))
            #expect(lines.filter { $0.hasPrefix("Host:") }.count == 1)
            #expect(lines.contains("User-Agent: custom/2"))
            #expect(!lines.contains("User-Agent: kube-probe/1.35"))
            #expect(lines.contains("Accept: text/plain"))
            #expect(!lines.contains("Accept: */*"))
            #expect(lines.filter { $0.hasPrefix("X-Repeat:") } == ["X-Repeat: a", "X-Repeat: b"])
        }
    }

    @Test func emptyAcceptRemovesTheHeader() async throws {
        try await withNamespacedServer { server, io in
            let lines = try await headerLines(io, server, [.init(name: "Accept", value: "")])
            #expect(!lines.contains { $0.lowercased().hasPrefix("accept:") })
            #expect(lines.contains("User-Agent: kube-probe/1.35"))
        }
    }

    @Test func bodyIsCappedAt10KiB() async throws {
        try await withNamespacedServer { server, io in
            let clock = ContinuousClock()
            var outcome = ProbeOutcome.unknown(error: "not run")
            let elapsed = await clock.measure {
                outcome = await io.http(server.target("/big"), netns: server.netns, timeout: timeout)
            }
            guard case .success(let body) = outcome else {
                Issue.record("expected success, got \(outcome)")
                return
            }
            #expect(body.utf8.count == 10 * 1024)
            #expect(elapsed < .seconds(3))
        }
    }

    @Test(.enabled(if: Host.hasOpenSSL, "needs openssl to make a self-signed certificate"))
    func httpsWithASelfSignedCertificate() async throws {
        try await withNamespacedServer(tls: true) { server, io in
            #expect(await io.http(server.target("/ok", tls: true), netns: server.netns, timeout: timeout)
                == .success(output: "ok"))
            #expect(await io.http(server.target("/fail", tls: true), netns: server.netns, timeout: timeout)
                == .failure(output: "HTTP probe failed with statuscode: 500"))
            // TLS sends close_notify first, so the fd closes a loop tick after the result.
            var open = server.openClientSockets()
            for _ in 0..<20 where !open.isEmpty {
                try await Task.sleep(for: .milliseconds(50))
                open = server.openClientSockets()
            }
            #expect(open == [])
        }
    }

    private func headerLines(
        _ io: ProbeIO, _ server: NamespacedServer, _ headers: [HTTPProbeTarget.Header]
    ) async throws -> [String] {
        let outcome = await io.http(server.target("/headers", headers: headers), netns: server.netns, timeout: timeout)
        guard case .success(let body) = outcome else {
            Issue.record("expected success, got \(outcome)")
            return []
        }
        return body.split(separator: "\n").map(String.init)
    }
}
