/// Every probe worker of every pod, and their results: the kubelet's prober manager
/// (pkg/kubelet/prober/prober_manager.go) without goroutines. The supervisor's loop reports what
/// happens to containers, asks `poll(at:)` which probes are due, runs them, and hands each result
/// to `record(_:for:at:)`; the updates that come back drive kills and the pod's status.
public struct ProbeManager: Sendable {
    /// A probe to run now against the instance named; report its result with `record`.
    public struct DueProbe: Hashable, Sendable {
        public var key: ProbeKey
        public var container: ContainerInstanceID

        public init(key: ProbeKey, container: ContainerInstanceID) {
            self.key = key
            self.container = container
        }
    }

    /// What `poll(at:)` found.
    public struct Poll: Hashable, Sendable {
        public var due: [DueProbe]
        /// When the next probe falls due, if nothing happens before; nil when no worker waits on time.
        public var wakeAt: Instant?

        public init(due: [DueProbe], wakeAt: Instant?) {
            self.due = due
            self.wakeAt = wakeAt
        }
    }

    /// What one probe run produced, after the manager applied it.
    public struct Outcome: Hashable, Sendable {
        public var event: EventNote?
        public var updates: [ProbeResults.Update]

        public init(event: EventNote?, updates: [ProbeResults.Update]) {
            self.event = event
            self.updates = updates
        }
    }

    public private(set) var results = ProbeResults()
    private var workers: [ProbeKey: ProbeWorker] = [:]
    private var podKeys: [String: Set<ProbeKey>] = [:]
    /// Sleeping workers by wake time, and workers something happened to since the last poll:
    /// a poll looks at these only, so its cost does not grow with the number of pods.
    private var wakeQueue = WakeQueue()
    private var changed: Set<ProbeKey> = []

    /// When the prober started (or a batch of pods arrived at once), and the source of the random
    /// part of a period. The kubelet's worker waits a random part of its period before its first
    /// probe when the prober started less than a period ago (a kubelet that starts with many pods
    /// would otherwise probe them all at the same instant, every period); nil: no such wait.
    public var start: Instant?
    public var randomFraction: @Sendable () -> Double = { Double.random(in: 0..<1) }

    public init(start: Instant? = nil) {
        self.start = start
    }

    public var keys: [ProbeKey] { workers.keys.sorted() }

    public func worker(_ key: ProbeKey) -> ProbeWorker? { workers[key] }

    // MARK: Pods and containers

    /// One worker per declared probe, like the kubelet's `AddPod`; a pod already known keeps its
    /// workers. `now` is their first run and the origin of their tick grids (plus a random part of
    /// the period while the prober is young: see `start`).
    public mutating func addPod(_ pod: String, containers: [ContainerProbes], at now: Instant) {
        for container in containers {
            for kind in ProbeType.allCases {
                guard let timing = container.timing(for: kind) else { continue }
                let key = ProbeKey(pod: pod, container: container.name, kind: kind)
                if workers[key] != nil { continue }
                var first = now
                if let start, now - start < timing.period { first = now + timing.period * randomFraction() }
                workers[key] = ProbeWorker(kind: kind, timing: timing, waitsForStartup: container.startup != nil,
                                           startingAt: first)
                podKeys[pod, default: []].insert(key)
                touch(key)
            }
        }
    }

    /// Drops the pod's workers and the results they published.
    public mutating func removePod(_ pod: String) {
        for key in podKeys.removeValue(forKey: pod) ?? [] {
            if let worker = workers.removeValue(forKey: key), let instance = worker.container {
                results.remove(key.kind, of: instance)
            }
            wakeQueue.cancel(key)
            changed.remove(key)
        }
    }

    /// A new instance of `container` is running; the results of the one it replaces are dropped.
    public mutating func containerStarted(pod: String, container: String, id: ContainerInstanceID,
                                          at now: Instant) -> [ProbeResults.Update] {
        var updates: [ProbeResults.Update] = []
        for key in keys(pod: pod, container: container) {
            guard var worker = workers[key] else { continue }
            let previous = worker.container
            let transition = worker.containerStarted(id, at: now)
            workers[key] = worker
            touch(key)
            if let previous, previous != id { results.remove(key.kind, of: previous) }
            if let transition { apply(transition, key: key, into: &updates) }
        }
        return updates
    }

    /// A running instance a previous daemon started (see `ProbeWorker.containerAdopted`).
    public mutating func containerAdopted(pod: String, container: String, id: ContainerInstanceID, startedAt: Instant,
                                          started: Bool, ready: Bool, at now: Instant) -> [ProbeResults.Update] {
        var updates: [ProbeResults.Update] = []
        for key in keys(pod: pod, container: container) {
            guard var worker = workers[key] else { continue }
            let transition = worker.containerAdopted(id, startedAt: startedAt, started: started, ready: ready, at: now)
            workers[key] = worker
            touch(key)
            if let transition { apply(transition, key: key, into: &updates) }
        }
        return updates
    }

    /// The current instance of `container` stopped. `willRestart` false ends its workers.
    public mutating func containerExited(pod: String, container: String, willRestart: Bool) -> [ProbeResults.Update] {
        var updates: [ProbeResults.Update] = []
        for key in keys(pod: pod, container: container) {
            touch(key)
            guard let transition = workers[key]?.containerExited(willRestart: willRestart) else { continue }
            apply(transition, key: key, into: &updates)
        }
        return updates
    }

    /// The pod is being deleted: liveness and startup stand down, readiness goes on.
    public mutating func podDeleting(_ pod: String) -> [ProbeResults.Update] {
        var updates: [ProbeResults.Update] = []
        for key in keys(pod: pod) {
            touch(key)
            guard let transition = workers[key]?.podDeleting() else { continue }
            apply(transition, key: key, into: &updates)
        }
        return updates
    }

    /// The pod reached a terminal phase (Succeeded or Failed): its workers end.
    public mutating func podTerminated(_ pod: String) {
        for key in keys(pod: pod) {
            workers[key]?.stop()
            wakeQueue.cancel(key)
        }
    }

    public mutating func trigger(_ key: ProbeKey) {
        workers[key]?.trigger()
        touch(key)
    }

    // MARK: The loop

    /// Starts every probe that is due at `now`, in key order, and says when to look again.
    /// Only workers whose wake time came or that something happened to are asked.
    public mutating func poll(at now: Instant) -> Poll {
        var candidates = changed
        changed.removeAll(keepingCapacity: true)
        candidates.formUnion(wakeQueue.popDue(at: now))
        var due: [DueProbe] = []
        for key in candidates.sorted() {
            guard let action = workers[key]?.nextAction(at: now) else { continue }
            switch action {
            case .probe(let instance):
                due.append(DueProbe(key: key, container: instance))
            case .sleep(let until):
                wakeQueue.schedule(key, at: until)
            case .awaitingResult, .stopped:
                break  // the result, or a change to the container, marks it changed again
            }
        }
        return Poll(due: due, wakeAt: wakeQueue.earliest())
    }

    /// The result of a probe `poll` started.
    public mutating func record(_ result: ProbeResult, for key: ProbeKey, at now: Instant) -> Outcome {
        guard let record = workers[key]?.record(result, at: now) else { return Outcome(event: nil, updates: []) }
        touch(key)
        var updates: [ProbeResults.Update] = []
        if let transition = record.transition { apply(transition, key: key, into: &updates) }
        return Outcome(event: record.event, updates: updates)
    }

    // MARK: Status

    /// `started` and `ready` for a container instance, by the kubelet's `UpdatePodStatus` rules:
    /// started once its startup probe (if any) succeeded; ready once started, running, and its
    /// readiness probe (if any) published Success.
    public func status(pod: String, container: String, instance: ContainerInstanceID, running: Bool) -> ContainerProbeStatus {
        guard running else { return ContainerProbeStatus(started: false, ready: false) }
        let started: Bool = if let state = results.state(.startup, of: instance) {
            state == .success
        } else {
            // A startup probe that has not published yet still holds the container back.
            workers[ProbeKey(pod: pod, container: container, kind: .startup)] == nil
        }
        guard started else { return ContainerProbeStatus(started: false, ready: false) }
        let ready = if results.state(.readiness, of: instance) == .success {
            true
        } else {
            // No readiness probe: ready as soon as started.
            workers[ProbeKey(pod: pod, container: container, kind: .readiness)] == nil
        }
        return ContainerProbeStatus(started: true, ready: ready)
    }

    // MARK: Internals

    private func keys(pod: String, container: String) -> [ProbeKey] {
        ProbeType.allCases.map { ProbeKey(pod: pod, container: container, kind: $0) }.filter { workers[$0] != nil }
    }

    private func keys(pod: String) -> [ProbeKey] { (podKeys[pod] ?? []).sorted() }

    /// Something happened to the worker: the next poll asks it what to do, whenever it slept till.
    private mutating func touch(_ key: ProbeKey) {
        wakeQueue.cancel(key)
        changed.insert(key)
    }

    /// Caches a transition and, when the startup probe succeeded, releases the container's other
    /// probes: the kubelet does this through the status manager's `started` flag.
    private mutating func apply(_ transition: ProbeTransition, key: ProbeKey, into updates: inout [ProbeResults.Update]) {
        if let update = results.apply(transition, for: key) { updates.append(update) }
        guard transition.kind == .startup, transition.state == .success else { return }
        for other in keys(pod: key.pod, container: key.container) where other.kind != .startup {
            workers[other]?.startupSucceeded(for: transition.container)
            touch(other)
        }
    }
}
