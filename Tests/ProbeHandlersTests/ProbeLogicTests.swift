import NIOHTTP1
import Testing

@testable import ProbeHandlers

/// Pure logic: no namespace, no root.
@Suite("Probe request, redirect and outcome rules")
struct ProbeLogicTests {
    let base = ProbeURL(scheme: .http, host: "127.0.0.1", port: 8080, pathAndQuery: "/a/b?x=1")

    @Test(arguments: [
        ("/ok", "http://127.0.0.1:8080/ok"),
        ("c", "http://127.0.0.1:8080/a/c"),
        ("../c?y=2", "http://127.0.0.1:8080/c?y=2"),
        ("?z", "http://127.0.0.1:8080/a/b?z"),
        ("/ok#frag", "http://127.0.0.1:8080/ok"),
        ("http://127.0.0.1:8080", "http://127.0.0.1:8080/"),
        ("//127.0.0.1:8080/x", "http://127.0.0.1:8080/x"),
        ("https://Example.test/x", "https://Example.test:443/x"),
        ("http://[::1]:9/x", "http://[::1]:9/x"),
        ("http://user:pw@h:1/p", "http://h:1/p"),
    ])
    func locationResolution(location: String, expected: String) {
        #expect(base.resolving(location)?.description == expected)
    }

    @Test func unparseableOrForeignLocations() {
        #expect(base.resolving("ftp://127.0.0.1:8080/") == nil)
        #expect(base.resolving("http://127.0.0.1:notaport/") == nil)
        #expect(base.resolving("http:///nohost") == nil)
    }

    @Test func sameEndpointComparesHostAndPort() throws {
        let other = try #require(base.resolving("http://127.0.0.1:8081/"))
        #expect(!other.sameEndpoint(as: base))
        let sameHostDifferentCase = try #require(
            ProbeURL(scheme: .http, host: "LocalHost", port: 80, pathAndQuery: "/").resolving("http://localhost/"))
        #expect(sameHostDifferentCase.sameEndpoint(
            as: ProbeURL(scheme: .http, host: "localhost", port: 80, pathAndQuery: "/")))
        #expect(base.resolving("/x")?.sameEndpoint(as: base) == true)
    }

    @Test func requestHead() {
        let head = ProbeRequest.head(for: base, hostHeader: nil, userHeaders: [], userAgent: "kube-probe/1.35")
        #expect(head.method == .GET && head.version == .http1_1 && head.uri == "/a/b?x=1")
        #expect(head.headers.map { "\($0.name): \($0.value)" }
            == ["Host: 127.0.0.1:8080", "User-Agent: kube-probe/1.35", "Accept: */*", "Connection: close"])
    }

    @Test func emptyUserAgentSendsNone() {
        let head = ProbeRequest.head(for: base, hostHeader: nil, userHeaders: [.init(name: "user-agent", value: "")],
                                     userAgent: "kube-probe/1.35")
        #expect(head.headers["User-Agent"].isEmpty)
    }

    @Test func hostHeaderIsTheFirstNonEmptyValue() {
        #expect(ProbeRequest.hostHeader(in: [.init(name: "HOST", value: "a"), .init(name: "Host", value: "b")]) == "a")
        #expect(ProbeRequest.hostHeader(in: [.init(name: "Host", value: "")]) == nil)
    }

    @Test func ipv6TargetsUseBrackets() {
        let url = ProbeURL(HTTPProbeTarget(host: "::1", port: 80, path: ""))
        #expect(url.description == "http://[::1]:80/")
        #expect(url.authority == "[::1]:80")
    }

    @Test(arguments: [
        (200, ProbeOutcome.success(output: "b")),
        (399, .warning(output: "Probe terminated redirects, Response body: b")),
        (302, .warning(output: "Probe terminated redirects, Response body: b")),
        (199, .failure(output: "HTTP probe failed with statuscode: 199")),
        (400, .failure(output: "HTTP probe failed with statuscode: 400")),
        (503, .failure(output: "HTTP probe failed with statuscode: 503")),
    ])
    func statusMapping(status: Int, expected: ProbeOutcome) {
        #expect(HTTPProber.outcome(of: HTTPProbeResponse(status: status, location: nil, body: "b")) == expected)
    }
}

extension ProbeLogicTests {
    @Test func absoluteReferences() {
        #expect(ProbeURL.isAbsolute("http://a/"))
        #expect(ProbeURL.isAbsolute("//a/x"))
        #expect(!ProbeURL.isAbsolute("/x?next=http://a/"))
        #expect(!ProbeURL.isAbsolute("x"))
    }
}
