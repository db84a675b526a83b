import Foundation
import Glibc
import ProbeHandlers
import Testing

/// CPU cost per probe, for the report (not a timed test): run with
/// `PROBEIO_BENCH=1 swift test --filter ProbeCostBenchmark`. CPU is this whole process's
/// (event loop, dial threads, concurrency pool), measured with getrusage; the server is another
/// process and is not counted.
@Suite(
    "Probe CPU cost",
    .enabled(if: ProcessInfo.processInfo.environment["PROBEIO_BENCH"] == "1", "set PROBEIO_BENCH=1 to measure"),
    .enabled(if: Host.canRunNamespacedServer, "needs root, unshare, ip and python3 to make a network namespace")
)
struct ProbeCostBenchmark {
    static let probes = 1000

    @Test func cpuPerProbe() async throws {
        try await withNamespacedServer { server, io in
            let target = server.target("/ok")
            let (netns, port) = (server.netns, server.port)
            let http: @Sendable () async -> ProbeOutcome = {
                await io.http(target, netns: netns, timeout: .seconds(5))
            }
            let tcp: @Sendable () async -> ProbeOutcome = {
                await io.tcp(port: port, netns: netns, timeout: .seconds(5))
            }
            for _ in 0..<50 { _ = await http(); _ = await tcp() }  // warm up: caches, lazy init

            for (name, probe) in [("HTTP", http), ("TCP", tcp)] {
                for inFlight in [1, 50] {
                    let (cpu, wall, failures) = await Self.measure(inFlight: inFlight, probe)
                    print("probe-cost \(name) in-flight=\(inFlight): \(cpu / Self.probes) CPU/probe, "
                        + "\(wall / Self.probes) wall/probe, \(failures) failures over \(Self.probes)")
                    #expect(failures == 0)
                }
            }
        }
    }

    private static func measure(
        inFlight: Int, _ probe: @escaping @Sendable () async -> ProbeOutcome
    ) async -> (Duration, Duration, Int) {
        let clock = ContinuousClock()
        let cpuBefore = cpuTime()
        let start = clock.now
        let failures = await withTaskGroup(of: Int.self) { group in
            for worker in 0..<inFlight {
                group.addTask {
                    var failed = 0
                    for _ in stride(from: worker, to: probes, by: inFlight) where !(await probe()).isSuccess {
                        failed += 1
                    }
                    return failed
                }
            }
            return await group.reduce(0, +)
        }
        return (cpuTime() - cpuBefore, clock.now - start, failures)
    }

    private static func cpuTime() -> Duration {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        func duration(_ time: timeval) -> Duration { .seconds(time.tv_sec) + .microseconds(time.tv_usec) }
        return duration(usage.ru_utime) + duration(usage.ru_stime)
    }
}
