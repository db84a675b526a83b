import Probes
import Testing

@Suite("Startup gating")
struct StartupGatingTests {
    @Test("liveness waits for the startup probe, then probes from its next tick")
    func livenessWaits() {
        var loop = WorkerLoop(ProbeWorker(kind: .liveness, timing: .every(1), waitsForStartup: true, startingAt: .zero))
        loop.start("c1", at: .zero)
        loop.run(until: at(5.5))
        #expect(loop.probeStarts.isEmpty)
        loop.startupSucceeded("c1", at: at(5.5))
        loop.run(until: at(8))
        #expect(loop.probeStarts == [at(6), at(7), at(8)])
    }

    @Test("readiness is probed at once when the startup probe succeeds, not at its next tick")
    func readinessAtOnce() {
        var loop = WorkerLoop(ProbeWorker(kind: .readiness, timing: .every(10), waitsForStartup: true, startingAt: .zero))
        loop.start("c1", at: .zero)
        loop.run(until: at(5.5))
        #expect(loop.probeStarts.isEmpty)
        loop.startupSucceeded("c1", at: at(5.5))
        loop.run(until: at(21))
        #expect(loop.probeStarts == [at(5.5), at(10), at(20)])
    }

    @Test("without a startup probe readiness is probed as soon as the instance runs")
    func readinessAtStart() {
        var loop = WorkerLoop(ProbeWorker(kind: .readiness, timing: .every(10), startingAt: .zero))
        loop.start("c1", at: at(3))
        loop.run(until: at(10))
        #expect(loop.probeStarts == [at(3), at(10)])
    }

    @Test("the startup probe stops once it has succeeded, and runs again for the next instance")
    func startupStops() {
        var loop = WorkerLoop(ProbeWorker(kind: .startup, timing: .every(1, failure: 10), startingAt: .zero))
        loop.script("FFSF")  // then Success
        loop.start("c1", at: .zero)
        loop.run(until: at(9.5))
        #expect(loop.probeStarts == [at(1), at(2), at(3)])
        #expect(loop.worker.published == .success)
        loop.start("c2", at: at(9.5))
        #expect(loop.worker.published == .unknown)
        loop.run(until: at(11))
        #expect(loop.probeStarts == [at(1), at(2), at(3), at(10), at(11)])
    }

    @Test("news of another instance's startup changes nothing")
    func otherInstance() {
        var loop = WorkerLoop(ProbeWorker(kind: .liveness, timing: .every(1), waitsForStartup: true, startingAt: .zero))
        loop.start("c2", at: .zero)
        loop.startupSucceeded("c1", at: at(1.5))
        loop.run(until: at(5))
        #expect(loop.probeStarts.isEmpty)
    }
}
