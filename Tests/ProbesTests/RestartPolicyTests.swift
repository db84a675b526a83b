import Probes
import Testing

@Suite("Restart policy and pod phase")
struct RestartPolicyTests {
    @Test("whether an ended instance is started again", arguments: [
        (RestartPolicy.always, Int32(0), false, false, true),
        (.always, 1, false, false, true),
        (.always, 137, true, false, true),
        (.always, 0, false, true, false),  // the pod is being deleted
        (.onFailure, 0, false, false, false),
        (.onFailure, 1, false, false, true),
        (.onFailure, 143, false, false, true),
        (.onFailure, 0, true, false, true),  // a liveness kill counts as a failure even if it exited 0
        (.onFailure, 1, false, true, false),
        (.never, 1, false, false, false),
        (.never, 137, true, false, false),
        (.never, 0, false, false, false),
    ] as [(RestartPolicy, Int32, Bool, Bool, Bool)])
    func shouldRestart(policy: RestartPolicy, exitCode: Int32, killedByProbe: Bool, podDeleting: Bool, expected: Bool) {
        #expect(policy.shouldRestart(exitCode: exitCode, killedByProbe: killedByProbe, podDeleting: podDeleting) == expected)
    }

    // Kubernetes' e2e runtime.go table: a container that exits 1 the first time, 0 the second time,
    // then runs forever.
    @Test("restartPolicy table: exit 1, exit 0, then run forever", arguments: [
        (RestartPolicy.always, PodPhase.running, 2, true),
        (.onFailure, .succeeded, 1, false),
        (.never, .failed, 0, false),
    ])
    func table(policy: RestartPolicy, phase: PodPhase, restarts: Int, ready: Bool) {
        let lives: [Int32?] = [1, 0, nil]  // exit codes; nil runs forever
        var probes = ProbeManager()
        probes.addPod("p", containers: [ContainerProbes(name: "c")], at: .zero)
        var backOff = RestartBackOff()
        var now = Instant.zero
        var restartCount = 0
        var state = ContainerPhaseState.notCreated
        var instance = ContainerInstanceID("c-0")
        while true {
            instance = ContainerInstanceID("c-\(restartCount)")
            _ = probes.containerStarted(pod: "p", container: "c", id: instance, at: now)
            state = .running
            guard let exitCode = lives[restartCount] else { break }
            now = now + .seconds(1)
            state = .terminated(exitCode: exitCode)
            let restart = policy.shouldRestart(exitCode: exitCode, killedByProbe: false)
            _ = probes.containerExited(pod: "p", container: "c", willRestart: restart)
            guard restart else { break }
            state = .waiting(afterTermination: true)
            #expect(PodPhase.of([state], restartPolicy: policy) == .running)
            now = nextStart(&backOff, lastExit: now)
            restartCount += 1
        }
        #expect(PodPhase.of([state], restartPolicy: policy) == phase)
        #expect(restartCount == restarts)
        let running = state == .running
        #expect(probes.status(pod: "p", container: "c", instance: instance, running: running).ready == ready)
    }

    @Test("phase from container states", arguments: [
        ([ContainerPhaseState.waiting(afterTermination: false)], RestartPolicy.always, false, PodPhase.pending),
        ([.notCreated], .always, false, .pending),
        ([.running, .notCreated], .always, false, .pending),
        ([.running, .terminated(exitCode: 0)], .never, false, .running),
        ([.running, .waiting(afterTermination: true)], .always, false, .running),
        ([.terminated(exitCode: 0), .terminated(exitCode: 0)], .always, false, .running),
        ([.terminated(exitCode: 0), .terminated(exitCode: 0)], .onFailure, false, .succeeded),
        ([.terminated(exitCode: 0), .terminated(exitCode: 1)], .onFailure, false, .running),
        ([.terminated(exitCode: 0), .terminated(exitCode: 1)], .never, false, .failed),
        ([.waiting(afterTermination: true)], .onFailure, false, .running),
        ([.waiting(afterTermination: true)], .never, false, .failed),
        ([.terminated(exitCode: 0)], .always, true, .succeeded),
        ([.terminated(exitCode: 137)], .always, true, .failed),
        ([], .always, false, .pending),
    ] as [([ContainerPhaseState], RestartPolicy, Bool, PodPhase)])
    func phase(states: [ContainerPhaseState], policy: RestartPolicy, terminal: Bool, expected: PodPhase) {
        #expect(PodPhase.of(states, restartPolicy: policy, podIsTerminal: terminal) == expected)
    }
}

/// When the supervisor may start the container again after an exit at `lastExit`.
func nextStart(_ backOff: inout RestartBackOff, lastExit: Instant) -> Instant {
    var now = lastExit
    while case .wait(_, let until) = backOff.restart(lastExit: lastExit, now: now) {
        now = until
    }
    return now
}
