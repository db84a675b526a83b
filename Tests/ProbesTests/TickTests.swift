import Probes
import Testing

@Suite("Ticks")
struct TickTests {
    @Test("probes never overlap; a probe slower than its period drops ticks and never drifts the grid")
    func slowProbe() {
        // Period 10 s, a probe that takes 25 s (timeoutSeconds may exceed periodSeconds).
        var timing = ProbeTiming.every(10)
        timing.timeoutSeconds = 25
        var loop = WorkerLoop(ProbeWorker(kind: .liveness, timing: timing, startingAt: .zero))
        loop.probeDuration = .seconds(25)
        loop.start("c1", at: .zero)
        loop.run(until: at(100))
        // 10 → 35: the tick at 20 waits, 30 is dropped. 35 → 60: 40 waits, 50 dropped. And so on.
        #expect(loop.probeStarts == [at(10), at(35), at(60), at(85)])
    }

    @Test("while a probe runs the worker only waits for its result")
    func noOverlap() {
        var worker = ProbeWorker(kind: .liveness, timing: .every(10), startingAt: .zero)
        _ = worker.nextAction(at: .zero)
        _ = worker.containerStarted(ContainerInstanceID("c1"), at: .zero)
        let c1 = ContainerInstanceID("c1")
        #expect(worker.nextAction(at: at(10)) == .probe(c1))
        #expect(worker.nextAction(at: at(20)) == .awaitingResult(c1))
        #expect(worker.nextAction(at: at(30)) == .awaitingResult(c1))
        _ = worker.record(.success, at: at(35))
        // One missed tick was kept: probe again at once, then back on the grid.
        #expect(worker.nextAction(at: at(35)) == .probe(c1))
        _ = worker.record(.success, at: at(36))
        #expect(worker.nextAction(at: at(36)) == .sleep(until: at(40)))
    }

    @Test("fast probes stay on the period's grid")
    func grid() {
        var loop = WorkerLoop(ProbeWorker(kind: .liveness, timing: .every(10), startingAt: at(2)))
        loop.probeDuration = .seconds(3)
        loop.start("c1", at: .zero)
        loop.run(until: at(45))
        #expect(loop.probeStarts == [at(2), at(12), at(22), at(32), at(42)])
    }

    @Test("the first run waits for the worker's start (the kubelet's jitter), then ticks from there")
    func startOffset() {
        var worker = ProbeWorker(kind: .liveness, timing: .every(10), startingAt: at(4))
        #expect(worker.nextAction(at: .zero) == .sleep(until: at(4)))
        #expect(worker.nextAction(at: at(4)) == .sleep(until: at(14)))
    }

    @Test("a manual trigger runs at once and leaves the grid where it was")
    func trigger() {
        var loop = WorkerLoop(ProbeWorker(kind: .liveness, timing: .every(10), startingAt: .zero))
        loop.start("c1", at: .zero)
        loop.run(until: at(13))
        loop.worker.trigger()
        loop.run(until: at(25))
        #expect(loop.probeStarts == [at(10), at(13), at(20)])
    }
}
