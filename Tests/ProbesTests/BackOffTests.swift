import Probes
import Testing

@Suite("Restart back-off")
struct BackOffTests {
    /// Start times of a container that fails the moment it starts.
    func startTimes(_ backOff: RestartBackOff, count: Int) -> [Instant] {
        var backOff = backOff
        var starts = [Instant.zero]  // the first start is not a restart
        while starts.count < count {
            let lastExit = starts[starts.count - 1]
            starts.append(nextStart(&backOff, lastExit: lastExit))
        }
        return starts
    }

    @Test("an always-failing container starts at 0, 0, 10, 30, 70, 150, 310 s, then every 300 s")
    func kubeletTimings() {
        #expect(startTimes(RestartBackOff(), count: 9) == [0, 0, 10, 30, 70, 150, 310, 610, 910].map { at($0) })
    }

    @Test("--backoff-initial and --backoff-max change the steps", arguments: [
        (1.0, 4.0, [0, 0, 1, 3, 7, 11, 15]),
        (0.5, 60.0, [0, 0, 0.5, 1.5, 3.5, 7.5, 15.5]),
        (10.0, 10.0, [0, 0, 10, 20, 30, 40, 50]),
    ] as [(Double, Double, [Double])])
    func configurable(initial: Double, maximum: Double, expected: [Double]) {
        let backOff = RestartBackOff(initial: .milliseconds(Int64(initial * 1000)), maximum: .milliseconds(Int64(maximum * 1000)))
        #expect(startTimes(backOff, count: expected.count) == expected.map { at($0) })
    }

    @Test("while waiting, the full window is reported and the wait is measured from the last exit")
    func waitWindow() {
        var backOff = RestartBackOff()
        _ = nextStart(&backOff, lastExit: at(0))   // restarted at once; 10 s from now on
        _ = nextStart(&backOff, lastExit: at(0))   // restarted at 10; 20 s
        _ = nextStart(&backOff, lastExit: at(10))  // restarted at 30; 40 s
        #expect(backOff.restart(lastExit: at(30), now: at(55)) == .wait(backOff: .seconds(40), until: at(70)))
        #expect(backOff.restart(lastExit: at(30), now: at(70)) == .restartNow)
        #expect(backOff.current == .seconds(80))
    }

    @Test("a container that ran more than 2 × max (10 min) restarts at once and starts over at 10 s")
    func resetAfterLongRun() {
        var backOff = RestartBackOff()
        for lastExit in [0, 0, 10, 30].map({ at($0) }) { _ = nextStart(&backOff, lastExit: lastExit) }
        #expect(backOff.current == .seconds(80))
        // Restarted at 70; running until 670 is exactly 10 min: not long enough.
        var longRun = backOff
        #expect(longRun.restart(lastExit: at(670), now: at(670)) == .wait(backOff: .seconds(80), until: at(750)))
        // Until 671: more than 10 min, so the back-off is forgotten.
        #expect(backOff.restart(lastExit: at(671), now: at(671)) == .restartNow)
        #expect(backOff.current == .seconds(10))
        #expect(backOff.restart(lastExit: at(672), now: at(672)) == .wait(backOff: .seconds(10), until: at(682)))
    }

    @Test("an entry untouched for 10 min is forgotten even if the container died early (the kubelet's GC)")
    func garbageCollected() {
        var backOff = RestartBackOff()
        for lastExit in [0, 0, 10, 30].map({ at($0) }) { _ = nextStart(&backOff, lastExit: lastExit) }
        // Restarted at 70, died at 80; the supervisor only looks again at 671.
        #expect(backOff.restart(lastExit: at(80), now: at(671)) == .restartNow)
        #expect(backOff.current == .seconds(10))
    }

    @Test("CrashLoopBackOff: the waiting reason and the kubelet's message")
    func crashLoop() {
        let pod = PodReference(name: "kubia-liveness", namespace: "default", uid: "4f1c2a9e")
        let waiting = ContainerWaiting.crashLoopBackOff(backOff: .seconds(40), container: "kubia", pod: pod)
        #expect(waiting.reason == "CrashLoopBackOff")
        #expect(waiting.message == "back-off 40s restarting failed container=kubia pod=kubia-liveness_default(4f1c2a9e)")
        let windows = [10, 20, 40, 80, 160, 300].map {
            ContainerWaiting.crashLoopBackOff(backOff: .seconds($0), container: "c", pod: pod).message ?? ""
        }
        #expect(windows.map { $0.split(separator: " ")[1] } == ["10s", "20s", "40s", "1m20s", "2m40s", "5m0s"])
    }
}
