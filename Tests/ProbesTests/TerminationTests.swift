import Probes
import Testing

@Suite("Termination")
struct TerminationTests {
    @Test("exit codes: a signal n reads as 128 + n", arguments: [
        (ProcessExit.exited(code: 0), Int32(0), Int32?.none),
        (.exited(code: 1), 1, nil),
        (.exited(code: 255), 255, nil),
        (.signaled(signal: 9), 137, 9),
        (.signaled(signal: 15), 143, 15),
    ])
    func exitCode(exit: ProcessExit, code: Int32, signal: Int32?) {
        #expect(exit.exitCode == code)
        #expect(exit.signal == signal)
    }

    @Test("reasons: Completed, Error, and OOMKilled only when the kernel says so", arguments: [
        (ProcessExit.exited(code: 0), false, TerminationReason.completed),
        (.exited(code: 1), false, .error),
        (.signaled(signal: 9), false, .error),  // a liveness kill has no reason of its own
        (.signaled(signal: 15), false, .error),
        (.signaled(signal: 9), true, .oomKilled),
        (.exited(code: 0), true, .oomKilled),
    ])
    func reason(exit: ProcessExit, oomKilled: Bool, expected: TerminationReason) {
        let status = TerminationStatus(exit: exit, oomKilled: oomKilled, startedAt: WallTime(secondsSinceEpoch: 10),
                                       finishedAt: WallTime(secondsSinceEpoch: 20))
        #expect(status.reason == expected)
        #expect(status.exitCode == exit.exitCode)
    }

    @Test("grace period: deletion's, else the failing probe's, else the pod's; at least 2 s unless overridden",
          arguments: [
              // reason, pod, probe, deletion, override → seconds
              (KillReason.livenessProbe, Int64(30), Int64?.none, Int64?.none, Int64?.none, Int64(30)),
              (.livenessProbe, 600, 5, nil, nil, 5),
              (.startupProbe, 600, 7, nil, nil, 7),
              (.stopping, 600, 5, nil, nil, 600),  // a probe's grace only shortens that probe's kills
              (.livenessProbe, 30, 1, nil, nil, 2),
              (.livenessProbe, 0, nil, nil, nil, 2),
              (.livenessProbe, 600, 5, 10, nil, 10),  // a pod being deleted uses its deletion grace
              (.stopping, 30, nil, 0, nil, 2),
              (.stopping, 30, nil, 0, 0, 0),  // an explicit override is taken as given
              (.stopping, 30, nil, nil, 45, 45),
          ] as [(KillReason, Int64, Int64?, Int64?, Int64?, Int64)])
    func grace(reason: KillReason, pod: Int64, probe: Int64?, deletion: Int64?, override: Int64?, expected: Int64) {
        #expect(GracePeriod.seconds(for: reason, podGraceSeconds: pod, probeGraceSeconds: probe,
                                    deletionGraceSeconds: deletion, overrideSeconds: override) == expected)
    }

    @Test("grace period defaults to the pod's 30 s")
    func graceDefault() {
        #expect(GracePeriod.seconds(for: .livenessProbe) == 30)
    }
}
