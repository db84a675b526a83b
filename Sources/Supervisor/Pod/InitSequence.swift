import Foundation
import PodSpec
import Probes

/// Init containers and native sidecars, as the kubelet runs them (pkg/kubelet/kuberuntime/
/// kuberuntime_container.go `computeInitContainerActions`, KEP-753):
///
/// - init containers start one at a time, in spec order, before any app container;
/// - a regular one must complete (exit 0) before the next starts; one that fails is restarted
///   with back-off under `Always` and `OnFailure`, and fails the pod under `Never`;
/// - a sidecar (`restartPolicy: Always`) lets the next one start once it is started: running,
///   and its startup probe passed if it has one; it is restarted whenever it exits, whatever the
///   pod's policy, probed like an app container, and stopped after the app containers.
///
/// Each container still runs in `runContainer`'s loop; this file decides when each loop starts
/// and whether an exit is followed by a restart.
extension PodController {
    /// Starts a new pod's containers: the app containers at once, or the init sequence first.
    func startContainers(_ pod: PodState) {
        resumeContainers(pod, from: [:])
    }

    /// Starts (or, for a pod taken over, resumes from `starts`) every container loop of the pod.
    func resumeContainers(_ pod: PodState, from starts: [String: LoopStart]) {
        let name = pod.name
        guard !pod.pod.spec.initContainers.isEmpty else {
            for c in pod.pod.spec.containers {
                Task { await self.runContainer(pod: name, container: c.name, from: starts[c.name] ?? .start) }
            }
            return
        }
        Task { await self.runInitSequence(name, from: starts) }
    }

    /// The init containers in order, then the app containers. A pod already initialized (taken
    /// over by a new daemon) resumes its sidecars and app containers where they were.
    private func runInitSequence(_ podName: String, from starts: [String: LoopStart]) async {
        guard let pod = pods[podName] else { return }
        let spec = pod.pod.spec
        if pod.initialized {
            for c in spec.sidecars {
                Task { await self.runContainer(pod: podName, container: c.name, from: starts[c.name] ?? .start) }
            }
        } else {
            for c in spec.initContainers {
                guard pods[podName] === pod, !pod.deleting else { return }
                let start = starts[c.name] ?? .start
                if c.isRestartableInit {
                    Task { await self.runContainer(pod: podName, container: c.name, from: start) }
                    guard await waitUntilStarted(pod, c.name) else { return }
                } else {
                    await runContainer(pod: podName, container: c.name, from: start)
                    guard pods[podName] === pod, !pod.deleting else { return }
                    guard case .terminated(let t)? = pod.containerRecord(c.name)?.state, t.exitCode == 0 else {
                        // Only `Never` ends the loop of a failed init container: the pod has failed.
                        initializationFailed(pod)
                        return
                    }
                }
            }
            pod.setCondition("Initialized", true)
            refreshStatus(pod)
        }
        for c in spec.containers {
            Task { await self.runContainer(pod: podName, container: c.name, from: starts[c.name] ?? .start) }
        }
    }

    /// Waits until a sidecar is started (running, its startup probe passed if it has one), as the
    /// kubelet waits before it starts the next init container. False if the pod is going.
    private func waitUntilStarted(_ pod: PodState, _ name: String) async -> Bool {
        while pods[pod.name] === pod && !pod.deleting && !pod.stoppingSidecars {
            if let c = pod.containerRecord(name), case .running = c.state, c.started { return true }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return false
    }

    /// A regular init container failed under `Never`: the pod fails (the phase rule says Failed),
    /// no app container starts, and the sidecars already running are stopped.
    private func initializationFailed(_ pod: PodState) {
        refreshStatus(pod)
        stopSidecars(pod, deletionGrace: nil)
    }

    // MARK: Restart rules

    /// Whether a container that exited starts again: app containers follow the pod's
    /// restartPolicy; a regular init container is restarted after a failure unless the policy is
    /// `Never` (`Always` acts as `OnFailure` for it); a sidecar always, until the pod stops it.
    func restartsAfterExit(_ pod: PodState, _ name: String, exitCode: Int32, killedByProbe: Bool) -> Bool {
        guard !pod.deleting else { return false }
        let policy = Probes.RestartPolicy(rawValue: pod.pod.spec.restartPolicy.rawValue) ?? .always
        switch pod.pod.spec.role(of: name) {
        case .app: return policy.shouldRestart(exitCode: exitCode, killedByProbe: killedByProbe)
        case .initContainer: return exitCode != 0 && policy != .never
        case .sidecar: return !pod.stoppingSidecars
        }
    }

    /// A start the loop must not make after all: a sidecar's back-off that ends after the pod
    /// began stopping its sidecars.
    func startRefused(_ pod: PodState, _ name: String) -> Bool {
        pod.stoppingSidecars && pod.pod.spec.role(of: name) == .sidecar
    }

    // MARK: Status

    /// `status.phase`, with the init containers' part of the kubelet's rule when the pod has any.
    func phase(_ pod: PodState, containers: [ContainerPhaseState], restartPolicy: Probes.RestartPolicy,
               podIsTerminal: Bool) -> PodPhase {
        guard let inits = pod.record.initContainers, !inits.isEmpty else {
            return PodPhase.of(containers, restartPolicy: restartPolicy, podIsTerminal: podIsTerminal)
        }
        let initStates = inits.map { c -> InitContainerPhaseState in
            let state: InitContainerPhaseState.State = switch c.state {
            case .running: .running(started: c.started)
            case .terminated(let t): .terminated(exitCode: t.exitCode)
            case .waiting:
                if case .terminated(let t)? = c.lastState { .waiting(lastExitCode: t.exitCode) } else { .waiting(lastExitCode: nil) }
            }
            return InitContainerPhaseState(restartable: c.sidecar == true, state: state)
        }
        return PodPhase.of(initContainers: initStates, containers: containers, restartPolicy: restartPolicy,
                           podHasInitialized: pod.initialized, podIsTerminal: podIsTerminal)
    }

    /// Sidecars count toward the pod's readiness (`GenerateContainersReadyCondition`).
    func sidecarsReady(_ pod: PodState) -> Bool {
        (pod.record.initContainers ?? []).allSatisfy { $0.sidecar != true || $0.ready }
    }

    /// The Killing event: a sidecar's probe failure reads as the kubelet's
    /// `computeInitContainerActions` words it ("Init container ... failed liveness probe").
    func killingEvent(_ pod: PodState, _ name: String, reason: KillReason, willRestart: Bool) -> EventNote {
        guard pod.pod.spec.role(of: name) == .sidecar, reason != .stopping else {
            return EventMessages.killing(container: name, reason: reason, willRestart: willRestart)
        }
        return EventMessages.killingSidecar(container: name, reason: reason)
    }

    /// The object of a container's events: `spec.initContainers{name}` for an init container.
    func eventObject(_ pod: PodState, container name: String) -> String {
        pod.pod.spec.role(of: name) == .app ? "spec.containers{\(name)}" : "spec.initContainers{\(name)}"
    }

    // MARK: Stopping

    /// Every app container is done and will not run again (`Never`, `OnFailure`): the sidecars
    /// are stopped, in reverse order, and the pod then completes.
    func appContainersDone(_ pod: PodState) {
        guard !pod.pod.spec.sidecars.isEmpty, !pod.deleting else { return }
        stopSidecars(pod, deletionGrace: nil)
    }

    /// Stops the sidecars for good, the last one first, each after the one after it has exited.
    private func stopSidecars(_ pod: PodState, deletionGrace: Int64?) {
        guard !pod.stoppingSidecars else { return }
        pod.stoppingSidecars = true
        Task { await self.stopSidecarsInOrder(pod, deletionGrace: deletionGrace, deadline: nil) }
    }

    /// The kubelet's termination ordering (`killContainersWithSyncResult` with SidecarContainers):
    /// app containers (and a regular init container still running) are signalled first; each
    /// sidecar is signalled once everything after it has exited, in reverse spec order, within
    /// what is left of the pod's grace period (at least the kubelet's minimum of 2 seconds).
    func stopInTerminationOrder(_ pod: PodState, deletionGrace: Int64?) async {
        let sidecars = Set(pod.pod.spec.sidecars.map(\.name))
        let grace = deletionGrace ?? pod.pod.spec.terminationGracePeriodSeconds
        let deadline = ContinuousClock.now + .seconds(grace)
        let first = pod.instances.keys.filter { !sidecars.contains($0) }.sorted()
        for name in first {
            kill(pod, name, reason: .stopping, graceSeconds: graceSeconds(pod, name, reason: .stopping, deletionGrace: deletionGrace))
        }
        guard !sidecars.isEmpty else { return }
        while first.contains(where: { pod.instances[$0] != nil }) || pod.starting.contains(where: { !sidecars.contains($0) }) {
            try? await Task.sleep(for: .milliseconds(20))
        }
        pod.stoppingSidecars = true
        await stopSidecarsInOrder(pod, deletionGrace: deletionGrace, deadline: deadline)
    }

    private func stopSidecarsInOrder(_ pod: PodState, deletionGrace: Int64?, deadline: ContinuousClock.Instant?) async {
        for c in pod.pod.spec.sidecars.reversed() {
            while pod.starting.contains(c.name) { try? await Task.sleep(for: .milliseconds(20)) }
            guard let instance = pod.instances[c.name] else { continue }
            var seconds = graceSeconds(pod, c.name, reason: .stopping, deletionGrace: deletionGrace)
            if let deadline {
                let left = deadline - ContinuousClock.now
                seconds = max(2, left.components.seconds + (left.components.attoseconds > 0 ? 1 : 0))
            }
            kill(pod, c.name, reason: .stopping, graceSeconds: seconds)
            while pod.instances[c.name] === instance { try? await Task.sleep(for: .milliseconds(20)) }
        }
    }
}
