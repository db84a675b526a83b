import Probes
import Testing

/// Drives a `ProbeManager` as the supervisor will: poll, run what is due, record, sleep.
struct ManagerLoop {
    var manager = ProbeManager()
    private(set) var now: Instant = .zero
    var respond: (ProbeKey, Instant) -> ProbeResult = { _, _ in .success }
    private(set) var runs: [(key: ProbeKey, time: Instant)] = []
    private(set) var updates: [ProbeResults.Update] = []

    mutating func run(until end: Instant) {
        while now <= end {
            let poll = manager.poll(at: now)
            for due in poll.due {
                runs.append((due.key, now))
                updates += manager.record(respond(due.key, now), for: due.key, at: now).updates
            }
            if !poll.due.isEmpty { continue }
            guard let wake = poll.wakeAt, wake <= end else { break }
            now = wake
        }
        now = max(now, end)
    }

    mutating func start(_ pod: String, _ container: String, _ instance: String, at time: Instant) {
        run(until: time)
        updates += manager.containerStarted(pod: pod, container: container, id: ContainerInstanceID(instance), at: now)
    }

    func runs(of kind: ProbeType) -> [Instant] { runs.filter { $0.key.kind == kind }.map(\.time) }
}

@Suite("Probe manager")
struct ProbeManagerTests {
    @Test("one worker per declared probe, keyed by pod, container and kind")
    func workers() {
        var manager = ProbeManager()
        manager.addPod("uid-1", containers: [
            ContainerProbes(name: "web", liveness: .every(10), readiness: .every(5)),
            ContainerProbes(name: "sidecar"),
        ], at: .zero)
        #expect(manager.keys == [ProbeKey(pod: "uid-1", container: "web", kind: .liveness),
                                 ProbeKey(pod: "uid-1", container: "web", kind: .readiness)])
        #expect(manager.worker(ProbeKey(pod: "uid-1", container: "web", kind: .readiness))?.timing == .every(5))
    }

    @Test("until startup has succeeded only the startup probe runs; then readiness at once, liveness on its tick")
    func startupGating() {
        var loop = ManagerLoop()
        loop.manager.addPod("p", containers: [
            ContainerProbes(name: "app", liveness: .every(2), readiness: .every(10), startup: .every(1, failure: 30)),
        ], at: .zero)
        loop.respond = { key, time in key.kind == .startup && time < at(3) ? .failure(output: "not yet") : .success }
        loop.start("p", "app", "c1", at: at(0.5))
        loop.run(until: at(6))
        #expect(loop.runs(of: .startup) == [at(1), at(2), at(3)])
        #expect(loop.runs(of: .readiness) == [at(3)])
        #expect(loop.runs(of: .liveness) == [at(4), at(6)])
        #expect(loop.manager.status(pod: "p", container: "app", instance: ContainerInstanceID("c1"), running: true)
                == ContainerProbeStatus(started: true, ready: true))
    }

    @Test("started and ready follow the kubelet's rules", arguments: [
        // (probes, published startup, published readiness, running) → (started, ready)
        (ContainerProbes(name: "c"), nil, nil, true, ContainerProbeStatus(started: true, ready: true)),
        (ContainerProbes(name: "c"), nil, nil, false, ContainerProbeStatus(started: false, ready: false)),
        (ContainerProbes(name: "c", readiness: .every(5)), nil, nil, true, ContainerProbeStatus(started: true, ready: false)),
        (ContainerProbes(name: "c", readiness: .every(5)), nil, ProbeResult.success, true,
         ContainerProbeStatus(started: true, ready: true)),
        (ContainerProbes(name: "c", readiness: .every(5), startup: .every(1)), nil, nil, true,
         ContainerProbeStatus(started: false, ready: false)),
        (ContainerProbes(name: "c", startup: .every(1)), ProbeResult.success, nil, true,
         ContainerProbeStatus(started: true, ready: true)),
    ] as [(ContainerProbes, ProbeResult?, ProbeResult?, Bool, ContainerProbeStatus)])
    func status(probes: ContainerProbes, startup: ProbeResult?, readiness: ProbeResult?, running: Bool,
                expected: ContainerProbeStatus) {
        var manager = ProbeManager()
        manager.addPod("p", containers: [probes], at: .zero)
        let id = ContainerInstanceID("c1")
        _ = manager.poll(at: .zero)
        _ = manager.containerStarted(pod: "p", container: "c", id: id, at: .zero)
        for (kind, result) in [(ProbeType.startup, startup), (.readiness, readiness)] {
            guard let result else { continue }
            let key = ProbeKey(pod: "p", container: "c", kind: kind)
            let poll = manager.poll(at: at(1))
            #expect(poll.due.contains(ProbeManager.DueProbe(key: key, container: id)))
            _ = manager.record(result, for: key, at: at(1))
        }
        #expect(manager.status(pod: "p", container: "c", instance: id, running: running) == expected)
    }

    @Test("a liveness failure comes back as an update asking for a kill, and the next instance replaces its results")
    func killAndReplace() {
        var loop = ManagerLoop()
        loop.manager.addPod("p", containers: [ContainerProbes(name: "app", liveness: .every(10, failure: 2))], at: .zero)
        loop.respond = { _, _ in .failure(output: "HTTP probe failed with statuscode: 500") }
        loop.start("p", "app", "c1", at: .zero)
        loop.run(until: at(20))
        let key = ProbeKey(pod: "p", container: "app", kind: .liveness)
        #expect(loop.updates == [
            ProbeResults.Update(key: key, container: ContainerInstanceID("c1"), state: .success),
            ProbeResults.Update(key: key, container: ContainerInstanceID("c1"), state: .failure, requestsKill: true),
        ])
        loop.start("p", "app", "c2", at: at(21))
        #expect(loop.manager.results.state(.liveness, of: ContainerInstanceID("c1")) == nil)
        #expect(loop.manager.results.state(.liveness, of: ContainerInstanceID("c2")) == .success)
    }

    @Test("deleting the pod stands liveness and startup down; startup's Success releases readiness")
    func deletion() {
        var loop = ManagerLoop()
        loop.manager.addPod("p", containers: [
            ContainerProbes(name: "app", liveness: .every(10), readiness: .every(10), startup: .every(10, failure: 30)),
        ], at: .zero)
        loop.respond = { key, _ in key.kind == .startup ? .failure(output: "not yet") : .success }
        loop.start("p", "app", "c1", at: .zero)
        loop.run(until: at(15))
        let updates = loop.manager.podDeleting("p")
        #expect(updates == [ProbeResults.Update(key: ProbeKey(pod: "p", container: "app", kind: .startup),
                                                container: ContainerInstanceID("c1"), state: .success)])
        loop.run(until: at(40))
        #expect(loop.runs(of: .startup) == [at(10)])
        #expect(loop.runs(of: .liveness).isEmpty)
        #expect(loop.runs(of: .readiness) == [at(15), at(20), at(30), at(40)])
    }

    @Test("removing a pod drops its workers and their results")
    func removePod() {
        var loop = ManagerLoop()
        loop.manager.addPod("p", containers: [ContainerProbes(name: "app", liveness: .every(10))], at: .zero)
        loop.manager.addPod("q", containers: [ContainerProbes(name: "app", liveness: .every(10))], at: .zero)
        loop.start("p", "app", "c1", at: .zero)
        loop.manager.removePod("p")
        #expect(loop.manager.keys == [ProbeKey(pod: "q", container: "app", kind: .liveness)])
        #expect(loop.manager.results.isEmpty)
    }

    @Test("a terminated pod's workers stop")
    func terminated() {
        var loop = ManagerLoop()
        loop.manager.addPod("p", containers: [ContainerProbes(name: "app", liveness: .every(10))], at: .zero)
        loop.start("p", "app", "c1", at: .zero)
        loop.manager.podTerminated("p")
        #expect(loop.manager.poll(at: at(100)) == ProbeManager.Poll(due: [], wakeAt: nil))
    }

    @Test("a young prober spreads first probes over a period, as the kubelet does after a restart")
    func startJitter() {
        var loop = ManagerLoop()
        loop.manager = ProbeManager(start: .zero)
        loop.manager.randomFraction = { 0.25 }
        loop.manager.addPod("p", containers: [ContainerProbes(name: "app", liveness: .every(10))], at: .zero + .seconds(1))
        loop.start("p", "app", "c1", at: .zero + .seconds(1))
        loop.run(until: .zero + .seconds(30))
        // First run a quarter period after the pod came, then every period from there.
        #expect(loop.runs(of: .liveness) == [3.5, 13.5, 23.5].map { .zero + .milliseconds(Int64($0 * 1000)) })

        // A pod added once the prober is older than the period starts at once.
        var old = ManagerLoop()
        old.manager = ProbeManager(start: .zero)
        old.manager.randomFraction = { 0.25 }
        old.manager.addPod("p", containers: [ContainerProbes(name: "app", liveness: .every(10))], at: .zero + .seconds(20))
        _ = old.manager.containerStarted(pod: "p", container: "app", id: ContainerInstanceID("c1"), at: .zero + .seconds(20))
        old.run(until: .zero + .seconds(31))
        #expect(old.runs(of: .liveness) == [.zero + .seconds(20), .zero + .seconds(30)])
    }
}
