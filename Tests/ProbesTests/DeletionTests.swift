import Probes
import Testing

@Suite("While the pod is deleted")
struct DeletionTests {
    @Test("liveness stops and stays at Success, so nothing restarts the container")
    func livenessStops() {
        var loop = WorkerLoop(ProbeWorker(kind: .liveness, timing: .every(10, failure: 1), startingAt: .zero))
        loop.respond = { _, time in time < at(15) ? .success : .failure(output: "shutting down") }
        loop.start("c1", at: .zero)
        loop.deletePod(at: at(15))
        loop.run(until: at(60))
        #expect(loop.probeStarts == [at(10)])
        #expect(loop.worker.published == .success)
        #expect(loop.worker.isStopped)
        #expect(loop.worker.nextAction(at: at(60)) == .stopped)
    }

    @Test("startup stops and reports Success")
    func startupStops() {
        var loop = WorkerLoop(ProbeWorker(kind: .startup, timing: .every(10, failure: 3), startingAt: .zero))
        loop.script("F")
        loop.start("c1", at: .zero)
        loop.deletePod(at: at(15))
        loop.run(until: at(60))
        #expect(loop.probeStarts == [at(10)])
        #expect(loop.published.last == Published(time: at(15), probe: nil, state: .success, cause: .podDeleting))
        #expect(loop.worker.isStopped)
    }

    @Test("readiness goes on, so a container that stops serving turns the pod NotReady")
    func readinessContinues() {
        var loop = WorkerLoop(ProbeWorker(kind: .readiness, timing: .every(10, failure: 1), startingAt: .zero))
        loop.respond = { _, time in time < at(15) ? .success : .failure(output: "connection refused") }
        loop.start("c1", at: .zero)
        loop.deletePod(at: at(15))
        loop.run(until: at(30))
        #expect(loop.probeStarts == [at(0), at(10), at(20), at(30)])
        #expect(loop.probed.last == Published(time: at(20), probe: 2, state: .failure, cause: .probed))
        #expect(!loop.worker.isStopped)
    }

    @Test("a liveness result still in flight when deletion begins changes nothing, but its event stays")
    func inFlight() {
        var worker = ProbeWorker(kind: .liveness, timing: .every(10, failure: 1), startingAt: .zero)
        _ = worker.nextAction(at: .zero)
        _ = worker.containerStarted(ContainerInstanceID("c1"), at: .zero)
        #expect(worker.nextAction(at: at(10)) == .probe(ContainerInstanceID("c1")))
        _ = worker.podDeleting()
        let record = worker.record(.failure(output: "down"), at: at(11))
        #expect(record.transition == nil)
        #expect(record.event?.message == "Liveness probe failed: down")
    }
}
