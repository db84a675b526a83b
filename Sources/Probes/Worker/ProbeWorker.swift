/// One probe of one container: the kubelet's prober worker (pkg/kubelet/prober/worker.go) as a
/// value driven from outside. The loop asks `nextAction(at:)`, runs the probe when told to, hands
/// the result to `record(_:at:)`, and reports what happens to the container. The worker has no
/// thread, no clock and no I/O, so every rule below is a plain unit test.
///
/// The rules, in the order the kubelet applies them on each tick:
/// - a new container instance resumes a held worker and publishes the kind's initial state;
/// - a worker on hold (after liveness or startup published Failure) probes nothing;
/// - a container that is not running is not probed;
/// - while whole seconds since the instance started are fewer than `initialDelaySeconds`, skip;
/// - until the container has started (its startup probe succeeded) only the startup probe runs,
///   and once it has, the startup probe stops;
/// - a published result changes only after a run of threshold-many equal results.
public struct ProbeWorker: Sendable {
    public let kind: ProbeType
    public let timing: ProbeTiming
    /// Liveness and readiness of a container that has a startup probe wait for it to succeed.
    public let waitsForStartup: Bool

    /// The state published for the current instance.
    public private(set) var published: ProbeState?
    /// Set once liveness or startup published Failure; cleared by the next instance.
    public private(set) var isOnHold = false
    public private(set) var isStopped = false

    private struct Instance: Sendable {
        var id: ContainerInstanceID
        var startedAt: Instant
        var running = true
        /// The container counts as started: it has no startup probe, or that probe succeeded.
        var started: Bool
    }

    private var instance: Instance?
    private var ticker: ProbeTicker
    /// The kubelet's loop probes once when the worker starts, before waiting for its first tick.
    private var firstRunPending = true
    /// A manual run, like the kubelet's `manualTriggerCh`: at most one waits.
    private var manualRunPending = false
    private var inFlight: ContainerInstanceID?
    private var lastResult: ProbeState?
    private var resultRun = 0
    private var podIsDeleting = false

    /// `startingAt` is the worker's first run and the origin of its tick grid. The kubelet delays it
    /// by a random part of the period when many workers start at once; pass such an offset here.
    public init(kind: ProbeType, timing: ProbeTiming, waitsForStartup: Bool = false, startingAt: Instant) {
        self.kind = kind
        self.timing = timing
        self.waitsForStartup = kind != .startup && waitsForStartup
        self.ticker = ProbeTicker(origin: startingAt, period: timing.period)
    }

    /// The instance the worker currently follows.
    public var container: ContainerInstanceID? { instance?.id }

    // MARK: What happens to the container

    /// A new instance of the container is running. It gets a fresh verdict: the kind's initial
    /// state is published and a held worker resumes. Readiness of a container that counts as
    /// started at once is probed at once, as the kubelet's status manager triggers it.
    public mutating func containerStarted(_ id: ContainerInstanceID, at now: Instant) -> ProbeTransition? {
        guard !isStopped, instance?.id != id else { return nil }
        let started = kind != .startup && !waitsForStartup
        instance = Instance(id: id, startedAt: now, started: started)
        isOnHold = false
        published = nil
        // The run of equal results carries over from the last instance, as in the kubelet: only
        // going on hold resets it. A held worker therefore gives the new instance a full count.
        if kind == .readiness && started { manualRunPending = true }
        return publish(kind.initialState, cause: .newInstance)
    }

    /// A running instance a previous daemon started and probed (KEP-4781: restarting the kubelet
    /// does not change pod status): `startedAt` is when it really started, so an initial delay
    /// already served is not served again; what was published for it (started, ready) is
    /// published again at once, not the kind's initial state, so a Ready pod never blips NotReady.
    /// The run of equal results starts over, as in a fresh kubelet worker.
    public mutating func containerAdopted(_ id: ContainerInstanceID, startedAt: Instant, started: Bool, ready: Bool,
                                          at now: Instant) -> ProbeTransition? {
        guard !isStopped else { return nil }
        instance = Instance(id: id, startedAt: startedAt, started: kind == .startup || waitsForStartup ? started : true)
        isOnHold = false
        published = nil
        let state: ProbeState = switch kind {
        case .liveness: .success
        case .readiness: ready ? .success : .failure
        case .startup: started ? .success : kind.initialState
        }
        return publish(state, cause: .newInstance)
    }

    /// The current instance stopped running. The kubelet publishes Failure for it (unless the
    /// worker is on hold) and ends the worker when the container will not run again.
    public mutating func containerExited(willRestart: Bool = true) -> ProbeTransition? {
        guard !isStopped, instance?.running == true else { return nil }
        instance?.running = false
        if !willRestart { isStopped = true }
        return isOnHold ? nil : publish(.failure, cause: .containerExited)
    }

    /// The startup probe of `id` succeeded: liveness starts on its next tick, readiness at once.
    public mutating func startupSucceeded(for id: ContainerInstanceID) {
        guard kind != .startup, !isStopped, instance?.id == id, instance?.started == false else { return }
        instance?.started = true
        if kind == .readiness { manualRunPending = true }
    }

    /// The pod is being deleted. Liveness and startup report Success and stop, so nothing restarts
    /// a container that is being stopped on purpose; readiness goes on, so the pod turns NotReady.
    public mutating func podDeleting() -> ProbeTransition? {
        guard !isStopped, !podIsDeleting else { return nil }
        podIsDeleting = true
        guard kind != .readiness else { return nil }
        isStopped = true
        return isOnHold ? nil : publish(.success, cause: .podDeleting)
    }

    /// Asks for a run as soon as possible, without moving the tick grid.
    public mutating func trigger() {
        if !isStopped { manualRunPending = true }
    }

    /// Ends the worker (the pod is gone, or it reached a terminal phase).
    public mutating func stop() {
        isStopped = true
    }

    // MARK: The loop

    /// What to do at `now`. Takes the due trigger (the first run, a manual run or a tick) and either
    /// starts a probe or skips it as the rules say; skipped triggers are used up, like the
    /// kubelet's ticks on which `doProbe` returns early.
    public mutating func nextAction(at now: Instant) -> ProbeAction {
        if isStopped { return .stopped }
        if let probing = inFlight { return .awaitingResult(probing) }
        if firstRunPending && now < ticker.origin { return .sleep(until: ticker.origin) }
        ticker.fire(upTo: now)
        while true {
            if firstRunPending {
                firstRunPending = false
            } else if manualRunPending {
                manualRunPending = false
            } else if !ticker.take() {
                return .sleep(until: ticker.next(after: now))
            }
            if let target = probeTarget(at: now) {
                inFlight = target
                return .probe(target)
            }
        }
    }

    /// The result of the probe started by the last `.probe` action. Unknown (errored) results are
    /// thrown away and leave the run as it was; a result for an instance that has since been
    /// replaced is dropped (the kubelet would file it under the dead container, where nobody reads it).
    public mutating func record(_ result: ProbeResult, at now: Instant) -> ProbeRecord {
        guard let probed = inFlight else { return ProbeRecord() }
        inFlight = nil
        let event = EventMessages.probe(kind, result: result)
        guard !isStopped, instance?.id == probed, let counted = result.countedState else {
            return ProbeRecord(event: event)
        }
        if lastResult == counted {
            resultRun += 1
        } else {
            lastResult = counted
            resultRun = 1
        }
        guard resultRun >= timing.threshold(for: counted) else { return ProbeRecord(event: event) }

        let transition = publish(counted, cause: .probed)
        if counted == .failure && kind.failureKillsContainer {
            // Probing a container that is being killed only races the kill: wait for the next instance.
            isOnHold = true
            resultRun = 0
        }
        if counted == .success && kind == .startup {
            instance?.started = true
        }
        return ProbeRecord(event: event, transition: transition)
    }

    // MARK: Rules

    private func probeTarget(at now: Instant) -> ContainerInstanceID? {
        guard let current = instance, !isOnHold, current.running else { return nil }
        // Whole seconds, truncated, as the kubelet compares them.
        if (now - current.startedAt).wholeSeconds < Int64(timing.initialDelaySeconds) { return nil }
        // The startup probe runs only until the container has started; the others only after.
        if (kind == .startup) == current.started { return nil }
        return current.id
    }

    private mutating func publish(_ state: ProbeState, cause: ProbeTransition.Cause) -> ProbeTransition? {
        guard let current = instance, published != state else { return nil }
        published = state
        return ProbeTransition(kind: kind, container: current.id, state: state, cause: cause)
    }
}
