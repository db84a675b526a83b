import Probes
import Testing

@Suite("Hold after a liveness or startup failure")
struct HoldTests {
    @Test("the worker holds until a new instance exists, which gets the full threshold again",
          arguments: [ProbeType.liveness, .startup])
    func holdUntilNewInstance(kind: ProbeType) {
        var loop = WorkerLoop(ProbeWorker(kind: kind, timing: .every(10, failure: 3), startingAt: .zero))
        loop.respond = { _, _ in .failure(output: "down") }
        loop.start("c1", at: .zero)
        loop.run(until: at(54))
        // Failed at 10, 20, 30; held at 40 and 50 while the kill happens.
        #expect(loop.probeStarts == [at(10), at(20), at(30)])
        #expect(loop.probed == [Published(time: at(30), probe: 2, state: .failure, cause: .probed)])
        #expect(loop.worker.isOnHold)

        loop.start("c2", at: at(55))
        #expect(!loop.worker.isOnHold)
        #expect(loop.published.last?.state == kind.initialState)
        loop.run(until: at(85))
        // Three more failures are needed, not one.
        #expect(loop.probeStarts == [at(10), at(20), at(30), at(60), at(70), at(80)])
        #expect(loop.probed.map(\.time) == [at(30), at(80)])
    }

    @Test("readiness never holds: it goes on probing a failing container")
    func readinessKeepsProbing() {
        var loop = WorkerLoop(ProbeWorker(kind: .readiness, timing: .every(10, failure: 1), startingAt: .zero))
        loop.script("SFFF")
        loop.start("c1", at: .zero)
        loop.run(until: at(30))
        #expect(loop.probeStarts == [at(0), at(10), at(20), at(30)])
        #expect(!loop.worker.isOnHold)
    }

    @Test("a held worker publishes nothing when the killed instance exits")
    func quietExit() {
        var loop = WorkerLoop(ProbeWorker(kind: .liveness, timing: .every(1, failure: 1), startingAt: .zero))
        loop.script("F")
        loop.start("c1", at: .zero)
        loop.exit(at: at(2))
        #expect(loop.published.map(\.cause) == [.newInstance, .probed])
    }
}
