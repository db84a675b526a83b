import Probes
import Testing

@Suite("Probe results")
struct ResultHandlingTests {
    @Test("an errored probe is neither success nor failure, and leaves an Unhealthy event")
    func errored() {
        var loop = WorkerLoop(ProbeWorker(kind: .liveness, timing: .every(1, failure: 1), startingAt: .zero))
        loop.respond = { index, _ in index < 2 ? .unknown(error: "named port \"http\" not found") : .failure(output: "down") }
        loop.start("c1", at: .zero)
        loop.run(until: at(2))
        #expect(loop.probed.isEmpty)
        #expect(loop.worker.published == .success)
        #expect(loop.events == Array(repeating: EventNote(.warning, reason: "Unhealthy",
            message: "Liveness probe errored and resulted in unknown state: named port \"http\" not found"), count: 2))
        loop.run(until: at(3))
        #expect(loop.probed.map(\.state) == [.failure])
    }

    @Test("a warning counts as success and leaves a ProbeWarning event")
    func warning() {
        var loop = WorkerLoop(ProbeWorker(kind: .readiness, timing: .every(10), startingAt: .zero))
        loop.respond = { _, _ in .warning(output: "Probe terminated redirects, Response body: moved") }
        loop.start("c1", at: .zero)
        loop.run(until: .zero)
        #expect(loop.worker.published == .success)
        #expect(loop.events == [EventNote(.warning, reason: "ProbeWarning",
                                          message: "Readiness probe warning: Probe terminated redirects, Response body: moved")])
    }

    @Test("every failed probe leaves an event, below the threshold too")
    func eventPerFailure() {
        var loop = WorkerLoop(ProbeWorker(kind: .liveness, timing: .every(1, failure: 3), startingAt: .zero))
        loop.script("FFSF")
        loop.start("c1", at: .zero)
        loop.run(until: at(4))
        #expect(loop.events.map(\.message) == ["Liveness probe failed: probe 0 failed", "Liveness probe failed: probe 1 failed",
                                               "Liveness probe failed: probe 3 failed"])
        #expect(loop.probed.isEmpty)
    }

    @Test("a result for an instance replaced meanwhile is dropped")
    func staleResult() {
        var worker = ProbeWorker(kind: .readiness, timing: .every(10), startingAt: .zero)
        _ = worker.nextAction(at: .zero)
        _ = worker.containerStarted(ContainerInstanceID("c1"), at: .zero)
        #expect(worker.nextAction(at: .zero) == .probe(ContainerInstanceID("c1")))
        _ = worker.containerStarted(ContainerInstanceID("c2"), at: at(1))
        #expect(worker.record(.success, at: at(2)).transition == nil)
        #expect(worker.published == .failure)
    }

    @Test("a record without a probe in flight is ignored")
    func unexpectedRecord() {
        var worker = ProbeWorker(kind: .liveness, timing: .every(10), startingAt: .zero)
        _ = worker.containerStarted(ContainerInstanceID("c1"), at: .zero)
        #expect(worker.record(.failure(output: "x"), at: at(1)) == ProbeRecord())
    }

    @Test("an exited instance is marked Failure without asking for a kill, and is not probed")
    func exited() {
        var loop = WorkerLoop(ProbeWorker(kind: .readiness, timing: .every(10), startingAt: .zero))
        loop.start("c1", at: .zero)
        loop.exit(at: at(5))
        loop.run(until: at(30))
        #expect(loop.probeStarts == [at(0)])
        #expect(loop.published.last == Published(time: at(5), probe: nil, state: .failure, cause: .containerExited))
        #expect(!loop.worker.isStopped)
    }

    @Test("a container that will not run again ends its worker")
    func exitedForGood() {
        var loop = WorkerLoop(ProbeWorker(kind: .liveness, timing: .every(10), startingAt: .zero))
        loop.start("c1", at: .zero)
        loop.exit(at: at(5), willRestart: false)
        #expect(loop.worker.isStopped)
        #expect(loop.worker.nextAction(at: at(10)) == .stopped)
    }

    // The kubelet keeps its run count across instances; only going on hold resets it. So two
    // failures, an exit of its own, and one failure in the next instance make three.
    @Test("a run carries over to a new instance unless the worker held, as in the kubelet")
    func runCarriesOver() {
        var loop = WorkerLoop(ProbeWorker(kind: .liveness, timing: .every(10, failure: 3), startingAt: .zero))
        loop.respond = { _, _ in .failure(output: "down") }
        loop.start("c1", at: .zero)
        loop.exit(at: at(25))
        loop.start("c2", at: at(26))
        loop.run(until: at(30))
        #expect(loop.probed == [Published(time: at(30), probe: 2, state: .failure, cause: .probed)])
    }
}
