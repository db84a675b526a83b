import Probes
import Testing

@Suite("A new container instance")
struct NewInstanceTests {
    @Test("publishes the kind's initial state: liveness Success, readiness Failure, startup Unknown",
          arguments: [(ProbeType.liveness, ProbeState.success), (.readiness, .failure), (.startup, .unknown)])
    func initialState(kind: ProbeType, expected: ProbeState) {
        var worker = ProbeWorker(kind: kind, timing: .every(10), startingAt: .zero)
        let transition = worker.containerStarted(ContainerInstanceID("c1"), at: at(1))
        #expect(transition == ProbeTransition(kind: kind, container: ContainerInstanceID("c1"), state: expected, cause: .newInstance))
        #expect(transition?.requestsKill == false)
        #expect(worker.published == expected)
        #expect(worker.container == ContainerInstanceID("c1"))
    }

    @Test("reporting the same instance again changes nothing")
    func sameInstance() {
        var worker = ProbeWorker(kind: .readiness, timing: .every(10), startingAt: .zero)
        _ = worker.containerStarted(ContainerInstanceID("c1"), at: at(1))
        #expect(worker.containerStarted(ContainerInstanceID("c1"), at: at(2)) == nil)
    }

    @Test("each instance starts from the initial state again, whatever the last one earned")
    func freshVerdict() {
        var loop = WorkerLoop(ProbeWorker(kind: .readiness, timing: .every(10), startingAt: .zero))
        loop.start("c1", at: at(1))
        loop.run(until: at(5))
        #expect(loop.worker.published == .success)
        loop.start("c2", at: at(6))
        #expect(loop.published.last == Published(time: at(6), probe: nil, state: .failure, cause: .newInstance))
    }

    @Test("before any instance exists nothing is probed")
    func noInstance() {
        var loop = WorkerLoop(ProbeWorker(kind: .liveness, timing: .every(1), startingAt: .zero))
        loop.run(until: at(10))
        #expect(loop.probeStarts.isEmpty)
        #expect(loop.published.isEmpty)
    }
}
