import Probes
import Testing

// A daemon that takes a running container over (after a crash, a stop or an upgrade) must go on
// where the last one was: KEP-4781's "restarting the kubelet does not change pod status".
@Suite("Taking a running container over")
struct AdoptionTests {
    @Test("a Ready container is published Ready at once: no NotReady blip")
    func readinessCarriesOver() {
        var worker = ProbeWorker(kind: .readiness, timing: .every(1), startingAt: at(100))
        let transition = worker.containerAdopted(ContainerInstanceID("c1"), startedAt: at(10), started: true, ready: true, at: at(100))
        #expect(transition?.state == .success)
        #expect(worker.published == .success)
    }

    @Test("a container that was not Ready stays not Ready until probes say otherwise")
    func notReadyCarriesOver() {
        var loop = WorkerLoop(ProbeWorker(kind: .readiness, timing: .every(1), startingAt: at(100)), at: at(100))
        if let t = loop.worker.containerAdopted(ContainerInstanceID("c1"), startedAt: at(10), started: true, ready: false, at: at(100)) {
            #expect(t.state == ProbeState.failure)
        }
        loop.run(until: at(101.5))
        #expect(loop.worker.published == ProbeState.success)
    }

    @Test("the initial delay already served is not served again")
    func noNewInitialDelay() {
        var loop = WorkerLoop(ProbeWorker(kind: .liveness, timing: .every(1, delay: 30), startingAt: at(100)), at: at(100))
        _ = loop.worker.containerAdopted(ContainerInstanceID("c1"), startedAt: at(10), started: true, ready: true, at: at(100))
        loop.run(until: at(102.5))
        // Started 90 s ago: past its 30 s delay, so probed from the first tick.
        #expect(loop.probeStarts == [at(100), at(101), at(102)])
    }

    @Test("a container still inside its initial delay waits out only the rest of it")
    func restOfTheDelay() {
        var loop = WorkerLoop(ProbeWorker(kind: .liveness, timing: .every(1, delay: 5), startingAt: at(100)), at: at(100))
        _ = loop.worker.containerAdopted(ContainerInstanceID("c1"), startedAt: at(97), started: true, ready: false, at: at(100))
        loop.run(until: at(104.5))
        #expect(loop.probeStarts == [at(102), at(103), at(104)])
    }

    @Test("a started container does not run its startup probe again; one not yet started does")
    func startupCarriesOver() {
        var started = WorkerLoop(ProbeWorker(kind: .startup, timing: .every(1), startingAt: at(100)), at: at(100))
        _ = started.worker.containerAdopted(ContainerInstanceID("c1"), startedAt: at(10), started: true, ready: true, at: at(100))
        started.run(until: at(103))
        #expect(started.probeStarts.isEmpty)
        var starting = WorkerLoop(ProbeWorker(kind: .startup, timing: .every(1), startingAt: at(100)), at: at(100))
        _ = starting.worker.containerAdopted(ContainerInstanceID("c1"), startedAt: at(99), started: false, ready: false, at: at(100))
        starting.run(until: at(100.5))
        #expect(starting.probeStarts == [at(100)])
    }

    @Test("a failing liveness probe still needs failureThreshold failures after the takeover")
    func livenessThreshold() {
        var loop = WorkerLoop(ProbeWorker(kind: .liveness, timing: .every(1, failure: 3), startingAt: at(100)), at: at(100))
        loop.script("FFF")
        _ = loop.worker.containerAdopted(ContainerInstanceID("c1"), startedAt: at(10), started: true, ready: true, at: at(100))
        loop.run(until: at(101.5))
        #expect(loop.worker.published == ProbeState.success)
        loop.run(until: at(102.5))
        #expect(loop.worker.published == ProbeState.failure)
    }
}

@Suite("Back-off kept across daemons")
struct SavedBackOffTests {
    @Test("a back-off restored from its saved form makes the same decisions")
    func roundTrip() {
        var original = RestartBackOff(initial: .seconds(2), maximum: .seconds(60))
        var starts: [Instant] = [.zero]
        for _ in 0..<4 { starts.append(nextStart(&original, lastExit: starts.last!)) }
        var restored = RestartBackOff(initial: .seconds(2), maximum: .seconds(60), saved: original.saved)
        // An exit right after the last start: both wait the same window, until the same instant.
        let exit = starts.last! + .seconds(1)
        #expect(restored.restart(lastExit: exit, now: exit) == original.restart(lastExit: exit, now: exit))
        #expect(restored.current == original.current)
    }

    @Test("a restored back-off does not give a crash-looping container a fresh fast restart")
    func noFreshStart() {
        var original = RestartBackOff(initial: .seconds(10), maximum: .seconds(300))
        var starts: [Instant] = [.zero]
        for _ in 0..<4 { starts.append(nextStart(&original, lastExit: starts.last!)) }
        var restored = RestartBackOff(initial: .seconds(10), maximum: .seconds(300), saved: original.saved)
        let exit = starts.last! + .seconds(1)
        guard case .wait(let window, _) = restored.restart(lastExit: exit, now: exit) else {
            Issue.record("a restored back-off restarted at once")
            return
        }
        // Starts at 0, 0, 10, 30, 70: the window is now 80 s, as it was before the takeover.
        #expect(window == .seconds(80))
        var fresh = RestartBackOff(initial: .seconds(10), maximum: .seconds(300))
        #expect(fresh.restart(lastExit: exit, now: exit) == .restartNow)
    }
}
