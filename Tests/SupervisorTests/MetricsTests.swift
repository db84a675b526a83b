import Foundation
import Probes
import Testing
@testable import Supervisor

// The supervisor's metrics in the Prometheus text format: the kubelet's probe families, swiftlet's
// own, and the HTTP endpoint that serves them.

@Suite struct MetricsTests {
    private static let pod = (name: "web", namespace: "default", uid: "0d4c2a6e-uid-web")

    private func finished(_ m: inout SupervisorMetrics, _ took: Duration, _ result: ProbeResult, _ kind: ProbeType = .liveness,
                          container: String = "app", pod: (name: String, namespace: String, uid: String) = Self.pod,
                          handler: String = "httpGet") {
        m.probeFinished(took, handler: handler, result: result, kind: kind, pod: pod.name, namespace: pod.namespace,
                        podUID: pod.uid, container: container)
    }

    private func snapshot(_ name: String = "web", uid: String = "0d4c2a6e-uid-web", phase: String = "Running",
                          containers: [PodSnapshot.Container] = []) -> PodSnapshot {
        PodSnapshot(name: name, namespace: "default", uid: uid, phase: phase, containers: containers)
    }

    private func labels(_ kind: String, _ result: String, container: String = "app") -> [String: String] {
        ["probe_type": kind, "result": result, "container": container, "pod": "web", "namespace": "default",
         "pod_uid": "0d4c2a6e-uid-web"]
    }

    // MARK: The kubelet's families

    @Test func probeTotalCountsEachResultOfEachWorkerWithTheKubeletsLabels() throws {
        var m = SupervisorMetrics()
        finished(&m, .milliseconds(1), .success)
        finished(&m, .milliseconds(1), .warning(output: "redirect"))
        finished(&m, .milliseconds(1), .failure(output: "HTTP probe failed with statuscode: 500"))
        finished(&m, .milliseconds(1), .unknown(error: "port \"http\" not found"))
        finished(&m, .milliseconds(1), .success, .readiness)
        finished(&m, .milliseconds(1), .failure(output: "refused"), .liveness, container: "sidecar")
        let text = try Exposition(m.prometheusText(pods: [snapshot()]))

        #expect(text.types["prober_probe_total"] == "counter")
        #expect(text.value("prober_probe_total", labels("Liveness", "successful")) == 2)
        #expect(text.value("prober_probe_total", labels("Liveness", "failed")) == 1)
        #expect(text.value("prober_probe_total", labels("Liveness", "unknown")) == 1)
        #expect(text.value("prober_probe_total", labels("Readiness", "successful")) == 1)
        #expect(text.value("prober_probe_total", labels("Readiness", "failed")) == nil)
        #expect(text.value("prober_probe_total", labels("Liveness", "failed", container: "sidecar")) == 1)
        #expect(text.samples(named: "prober_probe_total").count == 5)
    }

    /// As the kubelet's worker: successes and probes that could not run are timed, failures not.
    @Test func probeDurationObservesResponsesInTheKubeletsBucketsAndFinerOnes() throws {
        var m = SupervisorMetrics()
        finished(&m, .microseconds(700), .success)
        finished(&m, .milliseconds(30), .unknown(error: "exec: runtime error"))
        finished(&m, .seconds(1), .failure(output: "timeout"))
        let text = try Exposition(m.prometheusText(pods: [snapshot()]))
        let series = ["probe_type": "Liveness", "container": "app", "pod": "web", "namespace": "default"]

        #expect(text.types["prober_probe_duration_seconds"] == "histogram")
        let buckets = text.buckets("prober_probe_duration_seconds", series)
        #expect(buckets.map(\.le) == [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, .infinity])
        #expect(buckets.map(\.count) == [0, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2])
        #expect(text.value("prober_probe_duration_seconds_count", series) == 2)
        #expect(text.value("prober_probe_duration_seconds_sum", series) == 0.0307)
    }

    /// A pod that is gone loses its series, as when the kubelet's worker stops; a new pod of the
    /// same name keeps the duration series it shares (no pod_uid there).
    @Test func seriesOfPodsThatAreGoneAreForgotten() throws {
        var m = SupervisorMetrics()
        finished(&m, .milliseconds(1), .success)
        finished(&m, .milliseconds(1), .success, pod: (name: "web", namespace: "default", uid: "new-uid"))
        finished(&m, .milliseconds(1), .success, pod: (name: "db", namespace: "default", uid: "db-uid"))
        let live = [snapshot(uid: "new-uid")]
        m.forgetPods(except: live)
        let text = try Exposition(m.prometheusText(pods: live))

        #expect(text.samples(named: "prober_probe_total").map { $0.labels["pod_uid"] } == ["new-uid"])
        #expect(text.samples(named: "prober_probe_duration_seconds_count").map { $0.labels["pod"] } == ["web"])
        #expect(text.value("prober_probe_duration_seconds_count", ["probe_type": "Liveness", "container": "app", "pod": "web",
                                                                    "namespace": "default"]) == 2)
        // What swiftlet counts for itself stays: every probe ever run.
        #expect(text.value("swiftlet_probe_latency_seconds_count", [:]) == 3)
        #expect(text.value("swiftlet_probes_by_handler_total", ["handler": "httpGet"]) == 3)
    }

    // MARK: swiftlet's own

    /// p50 and p99 as a benchmark reads them: the first bucket whose cumulative count reaches the
    /// rank. They are what the supervisor's own histogram says, to within 13% of the durations.
    @Test func percentilesReadFromTheBucketsAreTheHistogramsOwn() throws {
        var m = SupervisorMetrics()
        for _ in 0..<98 { finished(&m, .milliseconds(2), .success) }
        finished(&m, .milliseconds(300), .failure(output: "timeout"), handler: "tcpSocket")
        finished(&m, .milliseconds(900), .success, handler: "exec")
        let text = try Exposition(m.prometheusText(pods: []))
        let buckets = text.buckets("swiftlet_probe_latency_seconds", [:])
        let p50 = try #require(Exposition.percentile(buckets, 0.5))
        let p99 = try #require(Exposition.percentile(buckets, 0.99))

        #expect(p50 * 1000 == m.probes.percentileMilliseconds(0.5))
        #expect(p99 * 1000 == m.probes.percentileMilliseconds(0.99))
        #expect(p50 >= 0.002 && p50 < 0.002 * 1.13)
        #expect(p99 >= 0.3 && p99 < 0.3 * 1.13)
        #expect(text.value("swiftlet_probe_latency_seconds_count", [:]) == 100)
        #expect(text.value("swiftlet_probe_latency_seconds_sum", [:]) == 1.396)
        #expect(text.value("swiftlet_probes_by_handler_total", ["handler": "httpGet"]) == 98)
        #expect(text.value("swiftlet_probes_by_handler_total", ["handler": "tcpSocket"]) == 1)
        #expect(text.value("swiftlet_probes_by_handler_total", ["handler": "exec"]) == 1)
    }

    /// A window's percentiles come from the difference of two scrapes' buckets.
    @Test func aWindowsPercentilesComeFromTheDifferenceOfTwoScrapes() throws {
        var m = SupervisorMetrics()
        for _ in 0..<50 { finished(&m, .milliseconds(40), .success) }  // start-up, before the window
        let before = try Exposition(m.prometheusText(pods: [])).buckets("swiftlet_probe_latency_seconds", [:])
        for _ in 0..<10 { finished(&m, .microseconds(600), .success) }
        let after = try Exposition(m.prometheusText(pods: [])).buckets("swiftlet_probe_latency_seconds", [:])
        let window = zip(before, after).map { (le: $1.le, count: $1.count - $0.count) }
        let p99 = try #require(Exposition.percentile(window, 0.99))
        #expect(p99 >= 0.0006 && p99 < 0.0006 * 1.13)
    }

    @Test func restartAndNetworkLatenciesAreHistogramsWithTheirExactSumAndCount() throws {
        var m = SupervisorMetrics()
        m.restarts.add(.microseconds(7900))
        m.restarts.add(.milliseconds(10))
        m.networkAdd.add(.microseconds(47_400))
        m.networkDel.add(.microseconds(110_500))
        let text = try Exposition(m.prometheusText(pods: []))
        for name in ["swiftlet_restart_latency_seconds", "swiftlet_network_setup_seconds", "swiftlet_network_teardown_seconds"] {
            #expect(text.types[name] == "histogram")
        }
        #expect(text.value("swiftlet_restart_latency_seconds_count", [:]) == 2)
        #expect(text.value("swiftlet_restart_latency_seconds_sum", [:]) == 0.0179)
        #expect(try #require(Exposition.percentile(text.buckets("swiftlet_restart_latency_seconds", [:]), 0.5)) == 0.00794)
        // One pod: its exact time is the sum.
        #expect(text.value("swiftlet_network_setup_seconds_sum", [:]) == 0.0474)
        #expect(text.value("swiftlet_network_teardown_seconds_sum", [:]) == 0.1105)
    }

    @Test func podsByPhaseContainersByStateAndRestartsAreReadAtScrapeTime() throws {
        var m = SupervisorMetrics()
        let running = PodSnapshot.Container(name: "app", state: .running, restarts: 3)
        let waiting = PodSnapshot.Container(name: "sidecar", state: .waiting, restarts: 1)
        let done = PodSnapshot.Container(name: "job", state: .terminated, restarts: 0)
        let pods = [snapshot("web", uid: "a", containers: [running, waiting]), snapshot("batch", uid: "b", phase: "Succeeded", containers: [done]),
                    snapshot("new", uid: "c", phase: "Pending")]
        var text = try Exposition(m.prometheusText(pods: pods))

        #expect(text.types["swiftlet_pods"] == "gauge")
        #expect(text.value("swiftlet_pods", ["phase": "Running"]) == 1)
        #expect(text.value("swiftlet_pods", ["phase": "Succeeded"]) == 1)
        #expect(text.value("swiftlet_pods", ["phase": "Pending"]) == 1)
        #expect(text.value("swiftlet_pods", ["phase": "Failed"]) == 0)
        #expect(text.value("swiftlet_pods", ["phase": "Unknown"]) == 0)
        #expect(text.value("swiftlet_containers", ["state": "running"]) == 1)
        #expect(text.value("swiftlet_containers", ["state": "waiting"]) == 1)
        #expect(text.value("swiftlet_containers", ["state": "terminated"]) == 1)
        #expect(text.types["swiftlet_container_restarts_total"] == "counter")
        #expect(text.value("swiftlet_container_restarts_total", ["pod": "web", "namespace": "default", "container": "app"]) == 3)
        #expect(text.value("swiftlet_container_restarts_total", ["pod": "web", "namespace": "default", "container": "sidecar"]) == 1)
        #expect(text.value("swiftlet_container_restarts_total", ["pod": "batch", "namespace": "default", "container": "job"]) == 0)

        // The next scrape reads the pods anew.
        m.forgetPods(except: [])
        text = try Exposition(m.prometheusText(pods: []))
        #expect(text.value("swiftlet_pods", ["phase": "Running"]) == 0)
        #expect(text.value("swiftlet_containers", ["state": "running"]) == 0)
        #expect(text.samples(named: "swiftlet_container_restarts_total").isEmpty)
    }

    // MARK: The format

    /// Every family the supervisor exports, with every kind of series in it, parses: one TYPE
    /// per family before its samples, samples grouped by family, `name{labels} value` lines,
    /// histogram buckets cumulative up to +Inf = _count. Label values are escaped.
    @Test func theWholeExpositionIsValidText() throws {
        var m = SupervisorMetrics()
        let odd = (name: "we\"ird", namespace: "name\\space", uid: "line\nbreak")
        for kind in ProbeType.allCases {
            finished(&m, .milliseconds(1), .success, kind)
            finished(&m, .milliseconds(2), .failure(output: ""), kind, container: "c2")
            finished(&m, .milliseconds(3), .unknown(error: ""), kind, pod: odd)
        }
        m.restarts.add(.milliseconds(8))
        m.networkAdd.add(.milliseconds(45))
        m.networkDel.add(.milliseconds(110))
        let pods = [snapshot(containers: [PodSnapshot.Container(name: "app", state: .running, restarts: 2)]),
                    PodSnapshot(name: odd.name, namespace: odd.namespace, uid: odd.uid, phase: "Running",
                                containers: [PodSnapshot.Container(name: "app", state: .waiting, restarts: 0)])]
        let text = try Exposition(m.prometheusText(pods: pods))

        #expect(Set(text.types.keys) == [
            "prober_probe_total", "prober_probe_duration_seconds", "swiftlet_probes_by_handler_total", "swiftlet_pods",
            "swiftlet_containers", "swiftlet_container_restarts_total", "swiftlet_probe_latency_seconds",
            "swiftlet_restart_latency_seconds", "swiftlet_network_setup_seconds", "swiftlet_network_teardown_seconds",
        ])
        #expect(text.value("prober_probe_total", ["probe_type": "Startup", "result": "unknown", "container": "app",
                                                   "pod": "we\"ird", "namespace": "name\\space", "pod_uid": "line\nbreak"]) == 1)
        for sample in text.samples(named: "prober_probe_total") {
            #expect(Set(sample.labels.keys) == ["probe_type", "result", "container", "pod", "namespace", "pod_uid"])
        }
    }

    @Test func theParserRefusesWhatIsNotTheFormat() {
        for bad in ["# TYPE a counter\n# TYPE a counter\na 1\n", "a 1\n", "# TYPE a counter\na{b=\"c} 1\n",
                    "# TYPE a counter\na one\n", "# TYPE a counter\n# TYPE b counter\na 1\nb 1\na 2\n",
                    "# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\nh_sum 1\nh_count 1\n"] {
            #expect(throws: Exposition.Malformed.self) { try Exposition(bad) }
        }
    }

    // MARK: HTTP

    @Test func getMetricsOverHTTPIsTheTextAndOtherPathsAre404() async throws {
        let server = try MetricsHTTPServer(host: "127.0.0.1", port: 0) { "# TYPE up gauge\nup 1\n" }
        defer { server.close() }
        #expect(server.port > 0)

        let ok = try await HTTPGet.run(port: server.port, path: "/metrics")
        #expect(ok.status == 200)
        #expect(ok.headers["content-type"]?.hasPrefix("text/plain; version=0.0.4") == true)
        #expect(ok.body == "# TYPE up gauge\nup 1\n")
        #expect(try Exposition(ok.body).value("up", [:]) == 1)

        let query = try await HTTPGet.run(port: server.port, path: "/metrics?name[]=up")
        #expect(query.status == 200)

        for path in ["/", "/metrics/", "/healthz", "/metricsx"] {
            let missing = try await HTTPGet.run(port: server.port, path: path)
            #expect(missing.status == 404, "\(path)")
        }
        let post = try await HTTPGet.run(port: server.port, path: "/metrics", method: "POST")
        #expect(post.status == 405)
    }

    /// A scraper keeps its connection: pipelined requests are answered in order, the first one's
    /// text (which the server awaits) before the second one's 404.
    @Test func pipelinedRequestsOnOneConnectionAreAnsweredInOrder() async throws {
        let server = try MetricsHTTPServer(host: "127.0.0.1", port: 0) { "up 1\n" }
        defer { server.close() }
        let reply = try await HTTPGet.exchange(port: server.port, request:
            "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\nGET /other HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        let ok = try #require(reply.range(of: "HTTP/1.1 200 OK\r\n"))
        let missing = try #require(reply.range(of: "HTTP/1.1 404 Not Found\r\n"))
        #expect(ok.upperBound <= missing.lowerBound)
        #expect(reply[ok.upperBound..<missing.lowerBound].contains("Connection: keep-alive\r\n"))
        #expect(reply[ok.upperBound..<missing.lowerBound].hasSuffix("\r\n\r\nup 1\n"))
    }

    @Test func aPortInUseIsRefusedWithASentence() throws {
        let first = try MetricsHTTPServer(host: "127.0.0.1", port: 0) { "" }
        defer { first.close() }
        #expect {
            try MetricsHTTPServer(host: "127.0.0.1", port: first.port) { "" }
        } throws: { error in
            "\(error)".hasPrefix("metrics: cannot listen on 127.0.0.1:\(first.port): ")
        }
    }
}

/// The text exposition format 0.0.4, parsed strictly enough to refuse what Prometheus would.
struct Exposition {
    struct Malformed: Error, CustomStringConvertible {
        let description: String
    }

    struct Sample {
        var name: String
        var labels: [String: String]
        var value: Double
    }

    private(set) var types: [String: String] = [:]
    private(set) var samples: [Sample] = []

    init(_ text: String) throws {
        guard text.isEmpty || text.hasSuffix("\n") else { throw Malformed(description: "no final line feed") }
        var helps: Set<String> = []
        var closed: Set<String> = []  // families whose lines have ended
        var current: String?
        func enter(_ family: String) throws {
            guard family != current else { return }
            if let current { closed.insert(current) }
            guard !closed.contains(family) else { throw Malformed(description: "\(family): lines not grouped") }
            current = family
        }
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).dropLast() {
            if line.hasPrefix("#") {
                let parts = line.split(separator: " ", maxSplits: 3, omittingEmptySubsequences: false)
                guard parts.count >= 3, parts[0] == "#" else { continue }  // a comment
                let name = String(parts[2])
                guard Self.isMetricName(name) else { throw Malformed(description: "bad name in \(line)") }
                if parts[1] == "TYPE" {
                    guard parts.count == 4, ["counter", "gauge", "histogram", "summary", "untyped"].contains(parts[3]) else {
                        throw Malformed(description: "bad TYPE line: \(line)")
                    }
                    guard types[name] == nil else { throw Malformed(description: "second TYPE for \(name)") }
                    guard !samples.contains(where: { Self.family(of: $0.name, types) == name }) else {
                        throw Malformed(description: "TYPE for \(name) after its samples")
                    }
                    types[name] = String(parts[3])
                    try enter(name)
                } else if parts[1] == "HELP" {
                    guard helps.insert(name).inserted else { throw Malformed(description: "second HELP for \(name)") }
                    try enter(name)
                }
                continue
            }
            let sample = try Self.sample(line)
            guard let family = Self.family(of: sample.name, types) else {
                throw Malformed(description: "\(sample.name) has no TYPE before it")
            }
            try enter(family)
            samples.append(sample)
        }
        for (name, type) in types where type == "histogram" {
            try checkHistogram(name)
        }
    }

    /// The family a sample belongs to: its own name, or a histogram's or summary's with a suffix.
    private static func family(of name: String, _ types: [String: String]) -> String? {
        if types[name] != nil { return name }
        for suffix in ["_bucket", "_sum", "_count"] where name.hasSuffix(suffix) {
            let base = String(name.dropLast(suffix.count))
            if let type = types[base], type == "histogram" || (type == "summary" && suffix != "_bucket") { return base }
        }
        return nil
    }

    private func checkHistogram(_ name: String) throws {
        let series = Set(samples.filter { $0.name == name + "_count" }.map(\.labels))
        for labels in series {
            let buckets = self.buckets(name, labels)
            guard buckets.last?.le == .infinity, buckets.last?.count == value(name + "_count", labels),
                  value(name + "_sum", labels) != nil else {
                throw Malformed(description: "\(name)\(labels): no +Inf bucket equal to _count, or no _sum")
            }
            guard zip(buckets, buckets.dropFirst()).allSatisfy({ $0.le < $1.le && $0.count <= $1.count }) else {
                throw Malformed(description: "\(name)\(labels): buckets not cumulative")
            }
        }
    }

    private static func isMetricName(_ s: some StringProtocol) -> Bool {
        guard let first = s.first, first.isASCII, first.isLetter || first == "_" || first == ":" else { return false }
        return s.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == ":") }
    }

    /// `name{label="value",...} value`: label values with \\, \" and \n escapes.
    private static func sample(_ line: Substring) throws -> Sample {
        let bad = Malformed(description: "bad sample line: \(line)")
        var rest = line[...]
        let name = rest.prefix { $0 != "{" && $0 != " " }
        guard isMetricName(name) else { throw bad }
        rest = rest.dropFirst(name.count)
        var labels: [String: String] = [:]
        if rest.first == "{" {
            rest = rest.dropFirst()
            while rest.first != "}" {
                let label = rest.prefix { $0 != "=" }
                guard isMetricName(label), !label.contains(":"), labels[String(label)] == nil else { throw bad }
                rest = rest.dropFirst(label.count)
                guard rest.hasPrefix("=\"") else { throw bad }
                rest = rest.dropFirst(2)
                var value = ""
                while true {
                    guard let c = rest.popFirst() else { throw bad }
                    if c == "\"" { break }
                    if c == "\\" {
                        switch rest.popFirst() {
                        case "\\": value.append("\\")
                        case "\"": value.append("\"")
                        case "n": value.append("\n")
                        default: throw bad
                        }
                    } else {
                        value.append(c)
                    }
                }
                labels[String(label)] = value
                if rest.first == "," { rest = rest.dropFirst() } else if rest.first != "}" { throw bad }
            }
            rest = rest.dropFirst()
        }
        guard rest.first == " " else { throw bad }
        let text = rest.dropFirst()
        let number: Double? = switch text {
        case "+Inf": .infinity
        case "-Inf": -.infinity
        case "NaN": .nan
        default: text.contains(" ") ? nil : Double(text)
        }
        guard let number else { throw bad }
        return Sample(name: String(name), labels: labels, value: number)
    }

    func samples(named name: String) -> [Sample] { samples.filter { $0.name == name } }

    func value(_ name: String, _ labels: [String: String]) -> Double? {
        samples.first { $0.name == name && $0.labels == labels }?.value
    }

    /// A histogram series' buckets, `le` ascending.
    func buckets(_ name: String, _ labels: [String: String]) -> [(le: Double, count: Double)] {
        samples.filter { $0.name == name + "_bucket" && $0.labels.filter { $0.key != "le" } == labels }
            .compactMap { s in s.labels["le"].flatMap { $0 == "+Inf" ? .infinity : Double($0) }.map { (le: $0, count: s.value) } }
            .sorted { $0.le < $1.le }
    }

    /// The p-th percentile as the benchmarks take it: the `le` of the first bucket whose
    /// cumulative count reaches ceil(count × p).
    static func percentile(_ buckets: [(le: Double, count: Double)], _ p: Double) -> Double? {
        guard let total = buckets.last?.count, total > 0 else { return nil }
        let rank = (total * p).rounded(.up)
        return buckets.first { $0.count >= rank }?.le
    }
}

/// A blocking HTTP/1.1 client on a thread of its own: requests written as they are, read to EOF.
enum HTTPGet {
    struct Response {
        var status: Int
        var headers: [String: String]
        var body: String
    }

    struct Failed: Error, CustomStringConvertible {
        let description: String
    }

    static func run(port: Int, path: String, method: String = "GET") async throws -> Response {
        let request = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"
        let text = try await exchange(port: port, request: request)
        guard let split = text.range(of: "\r\n\r\n") else { throw Failed(description: "no end of headers in \(text)") }
        let lines = text[..<split.lowerBound].components(separatedBy: "\r\n")
        guard let status = lines.first?.split(separator: " ").dropFirst().first.flatMap({ Int($0) }) else {
            throw Failed(description: "no status line in \(text)")
        }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return Response(status: status, headers: headers, body: String(text[split.upperBound...]))
    }

    /// Sends `request` as it is and reads until the server closes the connection.
    static func exchange(port: Int, request: String) async throws -> String {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Result { try exchangeBlocking(port: port, request: request) })
            }
        }
    }

    private static func exchangeBlocking(port: Int, request: String) throws -> String {
        let fd = socket(AF_INET, CInt(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failed(description: "socket: errno \(errno)") }
        defer { close(fd) }
        var timeout = timeval(tv_sec: 30, tv_usec: 0)  // a safety net, not a measurement
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw Failed(description: "connect: errno \(errno)") }
        let bytes = Array(request.utf8)
        guard send(fd, bytes, bytes.count, 0) == bytes.count else { throw Failed(description: "send: errno \(errno)") }
        var data: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = recv(fd, &chunk, chunk.count, 0)
            guard n >= 0 else { throw Failed(description: "recv: errno \(errno)") }
            if n == 0 { break }
            data += chunk[..<n]
        }
        return String(decoding: data, as: UTF8.self)
    }
}
