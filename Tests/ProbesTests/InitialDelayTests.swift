import Probes
import Testing

@Suite("Initial delay")
struct InitialDelayTests {
    // Ticks fall at 1.3, 2.3, …; the instance starts at 0.5 with initialDelaySeconds 3. At 3.3 only
    // 2.8 s have passed, 2 whole seconds: skipped. At 4.3, 3.8 s, 3 whole seconds: probed.
    @Test("skips while whole seconds since the instance started are fewer than initialDelaySeconds",
          arguments: ProbeType.allCases)
    func wholeSeconds(kind: ProbeType) {
        var loop = WorkerLoop(ProbeWorker(kind: kind, timing: .every(1, delay: 3), startingAt: at(0.3)))
        loop.start("c1", at: at(0.5))
        loop.run(until: at(6.5))
        // Startup stops once it has succeeded; the others go on every second.
        let expected = kind == .startup ? [at(4.3)] : [at(4.3), at(5.3), at(6.3)]
        #expect(loop.probeStarts == expected)
    }

    @Test("the delay counts again from each new instance's start")
    func perInstance() {
        var loop = WorkerLoop(ProbeWorker(kind: .liveness, timing: .every(1, delay: 3), startingAt: at(0.3)))
        loop.start("c1", at: at(0.5))
        loop.exit(at: at(7))
        loop.start("c2", at: at(7.5))
        loop.run(until: at(12))
        #expect(loop.probeStarts == [at(4.3), at(5.3), at(6.3), at(11.3)])
    }

    @Test("no delay: the next tick after the start probes")
    func noDelay() {
        var loop = WorkerLoop(ProbeWorker(kind: .liveness, timing: .every(10), startingAt: .zero))
        loop.start("c1", at: at(3))
        loop.run(until: at(25))
        #expect(loop.probeStarts == [at(10), at(20)])
    }
}
