import Probes
import Testing

/// The kubelet's `getPhase` with init containers, after the cases of kubelet_pods_test.go
/// (`TestPodPhaseWithRestartAlwaysInitContainers`, `...NeverInitContainers`,
/// `...RestartableInitContainers`, `...SidecarContainers`).
@Suite struct InitContainerPhaseTests {
    typealias S = InitContainerPhaseState
    static func regular(_ state: S.State) -> S { S(restartable: false, state: state) }
    static func sidecar(_ state: S.State) -> S { S(restartable: true, state: state) }

    struct Row: Sendable, CustomStringConvertible {
        var description: String
        var inits: [S]
        var containers: [ContainerPhaseState]
        var policy: RestartPolicy
        var initialized = false
        var terminal = false
        var expected: PodPhase
    }

    static let rows: [Row] = [
        Row(description: "init container running", inits: [regular(.running(started: true))],
            containers: [.waiting(afterTermination: false)], policy: .always, expected: .pending),
        Row(description: "init container failed, Always restarts it", inits: [regular(.terminated(exitCode: 1))],
            containers: [.waiting(afterTermination: false)], policy: .always, expected: .pending),
        Row(description: "init container in back-off after a failure", inits: [regular(.waiting(lastExitCode: 1))],
            containers: [.waiting(afterTermination: false)], policy: .onFailure, expected: .pending),
        Row(description: "init container not started yet", inits: [regular(.waiting(lastExitCode: nil))],
            containers: [.waiting(afterTermination: false)], policy: .always, expected: .pending),
        Row(description: "init container failed under Never", inits: [regular(.terminated(exitCode: 1))],
            containers: [.waiting(afterTermination: false)], policy: .never, expected: .failed),
        Row(description: "second init container failed under Never",
            inits: [regular(.terminated(exitCode: 0)), regular(.terminated(exitCode: 2))],
            containers: [.waiting(afterTermination: false)], policy: .never, expected: .failed),
        Row(description: "init containers done, app waiting", inits: [regular(.terminated(exitCode: 0))],
            containers: [.waiting(afterTermination: false)], policy: .always, initialized: true, expected: .pending),
        Row(description: "init containers done, app running", inits: [regular(.terminated(exitCode: 0))],
            containers: [.running], policy: .never, initialized: true, expected: .running),
        Row(description: "init containers done, app succeeded under Never", inits: [regular(.terminated(exitCode: 0))],
            containers: [.terminated(exitCode: 0)], policy: .never, initialized: true, terminal: true, expected: .succeeded),
        Row(description: "sidecar running, not started", inits: [sidecar(.running(started: false))],
            containers: [.waiting(afterTermination: false)], policy: .always, expected: .pending),
        Row(description: "sidecar started, app not created", inits: [sidecar(.running(started: true))],
            containers: [.waiting(afterTermination: false)], policy: .always, initialized: true, expected: .pending),
        Row(description: "sidecar and app running", inits: [sidecar(.running(started: true))],
            containers: [.running], policy: .always, initialized: true, expected: .running),
        Row(description: "sidecar restarting after init, app running", inits: [sidecar(.waiting(lastExitCode: 137))],
            containers: [.running], policy: .never, initialized: true, expected: .running),
        Row(description: "app done, sidecar still running", inits: [sidecar(.running(started: true))],
            containers: [.terminated(exitCode: 0)], policy: .never, initialized: true, terminal: true, expected: .running),
        Row(description: "app done, sidecar stopped: a stopped sidecar does not count",
            inits: [sidecar(.terminated(exitCode: 143))],
            containers: [.terminated(exitCode: 0)], policy: .never, initialized: true, terminal: true, expected: .succeeded),
        Row(description: "app failed, sidecar stopped", inits: [sidecar(.terminated(exitCode: 143))],
            containers: [.terminated(exitCode: 1)], policy: .onFailure, initialized: true, terminal: true, expected: .failed),
        Row(description: "sidecar not started before a regular init container",
            inits: [sidecar(.running(started: false)), regular(.waiting(lastExitCode: nil))],
            containers: [.waiting(afterTermination: false)], policy: .always, expected: .pending),
    ]

    @Test(arguments: rows) func phase(_ row: Row) {
        #expect(PodPhase.of(initContainers: row.inits, containers: row.containers, restartPolicy: row.policy,
                            podHasInitialized: row.initialized, podIsTerminal: row.terminal) == row.expected)
    }
}
