import Cgroups
import ContainerRuntime
import Foundation
import PodSpec
import Probes

/// A daemon that starts on a root with pods takes them over, as a restarted kubelet rebuilds its
/// view from the runtime, but keeping what the kubelet loses (KEP-4781 and more): the running
/// containers (same pids, `startedAt`), `restartCount`, `lastState`, `ready` and `started`, the
/// back-off where it was, the events. What the keeper reports decides each container's fate:
///
/// - held and running: followed again; its probes resume without a new initial delay;
/// - exited while no daemon ran: the keeper's exact status, handled once by the restart policy;
/// - not held at all (its keeper died, or a daemon died between the clone and handing it over):
///   killed through its cgroup and reported as `ContainerStatusUnknown`, never with a made-up
///   success; the restart policy then applies;
/// - an instance a daemon was starting when it died: killed and started again.
///
/// Whatever the keeper holds that no pod claims, and container cgroups nobody owns, are removed.
extension PodController {
    /// Takes over every pod of the root; returns notes for the daemon's log.
    public func adoptAll() async -> [String] {
        var notes: [String] = []
        let entries: [String: KeeperEntry]
        do {
            entries = Dictionary(try keeper.list().map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        } catch {
            return ["cannot list what swiftlet-keeper holds: \(error); no pod taken over"]
        }
        notes += killUnheldChildren(held: Set(entries.values.filter { $0.exit == nil }.map(\.pid)))
        var claimed: Set<String> = []
        // Pods whose creation was cut short before their first record: nothing ran yet but
        // their sandbox (the keeper holds it; removed below as unclaimed) and maybe a network.
        for name in store.names() where pods[name] == nil && (try? store.load(name)) == nil {
            store.remove(name)
            notes.append("pod \"\(name)\": removed: it has no record (its creation was cut short)")
        }
        // Then the networks of pods that are gone. No other daemon works on this root now, so
        // a half-made attachment or pin is a leftover, however young.
        if !reconciled {
            reconciled = true
            notes += await networker.reconcile(leftoversOnly: true)
        }
        let names = store.names().filter { pods[$0] == nil }
        // Pods that arrive together get the kubelet's start jitter for their first probes.
        probes.start = names.count > 1 ? clock.now : nil
        for name in names {
            guard let record = try? store.load(name) else { continue }
            do {
                try adopt(record, entries: entries, claimed: &claimed)
            } catch {
                notes.append("pod \"\(name)\": not taken over: \(error)")
            }
        }
        notes += await removeUnclaimed(entries, claimed: claimed)
        scheduleProbes()
        return notes
    }

    private func adopt(_ record: PodRecord, entries: [String: KeeperEntry], claimed: inout Set<String>) throws {
        guard let pod = try PodFile.parse(record.manifest, file: record.sourceFile).first(where: { $0.name == record.name }) else {
            throw SupervisorError("its manifest no longer describes it")
        }
        var images: [String: ContainerSpecBuilder.Image] = [:]
        for (_, c) in pod.spec.everyContainer {
            let path = record.resolvedImages?[c.name] ?? c.image.resolved
            images[c.name] = try? ContainerSpecBuilder.image(at: path)
        }
        let backoff = RestartBackOff(initial: record.backoffInitialNanoseconds.map { .nanoseconds($0) } ?? options.backoffInitial,
                                     maximum: record.backoffMaxNanoseconds.map { .nanoseconds($0) } ?? options.backoffMax)
        let now = clock.now
        let state = PodState(adopting: record, pod: pod, images: images, events: store.loadEvents(pod: record.name),
                             backoff: backoff, supervisorPID: supervisorPID, supervisorStartTime: supervisorStartTime)
        pods[pod.name] = state
        state.etcFiles = PodNetworker.existingEtcFiles(pod: pod.name, store: store)

        var sandboxAlive = false
        if let pid = record.sandboxPID, let startTime = record.sandboxStartTime {
            let id = Self.sandboxKeeperID(pid: pid, startTime: startTime)
            if let sandbox = PodSandbox.adopt(pid: pid, startTime: startTime) {
                if entries[id] != nil && entries[id]?.exit == nil {
                    state.sandbox = SendableBox(sandbox)
                    watchSandbox(state, sandbox)
                    sandboxAlive = true
                } else {
                    // Alive but held by nobody (its keeper died): it cannot be followed; replaced.
                    sandbox.stop()
                }
            }
            claimed.insert(id)
            if entries[id]?.exit != nil { keeper.ack(id) }
        }

        probes.addPod(pod.name, containers: pod.spec.probedContainers.map(Self.probeTimings), at: now)
        var starts: [String: LoopStart] = [:]
        for c in (record.initContainers ?? []) + record.containers {
            let id = ContainerRecord.instanceID(pod: pod.name, container: c.name, instance: c.instance, uid: record.uid)
            claimed.insert(id)
            state.nextInstance[c.name] = c.instance + 1
            starts[c.name] = adoptContainer(state, c, id: id, held: entries[id], now: now)
        }
        resumeContainers(state, from: starts)
        refreshStatus(state)
        if record.deletionTimestamp != nil {
            let grace = record.deletionGracePeriodSeconds.map(Int64.init)
            Task { await self.delete(pod: pod.name, graceSeconds: grace) }
        } else if !sandboxAlive {
            Task { await self.replaceSandbox(state, old: nil) }
        }
    }

    /// Where one container's loop goes on from.
    private func adoptContainer(_ pod: PodState, _ c: ContainerRecord, id: String, held: KeeperEntry?,
                                now: Probes.Instant) -> LoopStart {
        if case .running(let startedAt) = c.state, let pid = c.pid, let startTime = c.pidStartTime, let paths = c.cgroup {
            let cgroup = Cgroup(paths: paths)
            let spec = (try? SpecDecoder.decode(Array(Data(contentsOf: URL(fileURLWithPath: store.containerSpecPath(pod.name, c.name)))))) ?? OCISpec()
            let container = ContainerRuntime.Container.adopt(id: id, pid: pid, startTime: startTime, cgroup: cgroup)
                ?? ContainerRuntime.Container.gone(id: id, pid: pid, startTime: startTime, cgroup: cgroup)
            let instance = Instance(container: container, id: ContainerInstanceID(id), spec: spec, number: c.instance,
                                    startedAt: startedAt)
            pod.instances[c.name] = instance
            if held != nil {
                watchOOM(cgroup)
                // Running, or its exit is waiting at the keeper: either way the loop follows it.
                let elapsed = Duration.nanoseconds(Int64(max(0, Date().timeIntervalSince(startedAt)) * 1e9))
                apply(probes.containerAdopted(pod: pod.name, container: c.name, id: instance.id, startedAt: now - elapsed,
                                              started: c.started, ready: c.ready, at: now), pod)
                return .running(instance)
            }
            // Nobody holds it: whatever runs there is killed; its status is not known.
            try? cgroup.destroy()
            instanceExited(pod, c.name, instance, InstanceExit(status: ExitStatus(waitStatus: 137 << 8, oomKilled: false),
                                                               finishedAt: Date(), unknown: true))
            return .exited(code: 137)
        }
        // No instance running: one may have been cut short while starting (killed here), and the
        // loop goes on from the last decision.
        if let layout = try? CgroupLayout.detect(), let cgroup = Cgroup.existing(name: id, layout: layout) {
            try? cgroup.destroy()
        }
        if held != nil { keeper.ack(id) }
        if pod.finished.contains(c.name) { return .exited(code: 0) }
        if c.startPending == true { return .start }
        switch c.state {
        case .waiting(let reason, _) where reason == "ContainerCreating" || reason == "PodInitializing": return .start
        case .terminated(let t): return .exited(code: t.exitCode)
        default:
            if case .terminated(let t)? = c.lastState { return .exited(code: t.exitCode) }
            return .exited(code: 128)
        }
    }

    /// Every child of the keeper is the daemon or a process the keeper holds. Any other was
    /// cloned by a daemon that died before handing it over (a sandbox or a container between its
    /// clone and `hold`): nobody would ever follow or reap it, so it is killed (by pid: it is the
    /// keeper's child, so the pid is its own until the keeper reaps it). Runs before anything of
    /// this daemon's is cloned.
    private func killUnheldChildren(held: Set<Int32>) -> [String] {
        let keeper = supervisorPID
        guard let text = try? String(contentsOfFile: "/proc/\(keeper)/task/\(keeper)/children", encoding: .utf8) else { return [] }
        var notes: [String] = []
        for pid in text.split(separator: " ").compactMap({ Int32($0) }) where pid != getpid() && !held.contains(pid) {
            Glibc.kill(pid, SIGKILL)
            notes.append("pid \(pid), a child of the keeper that no one held (its daemon died before handing it over): killed")
        }
        return notes
    }

    /// What the keeper holds that no pod claims (a pod deleted while no daemon ran, a sandbox or
    /// container whose daemon died before recording it): killed, and forgotten by the keeper.
    private func removeUnclaimed(_ entries: [String: KeeperEntry], claimed: Set<String>) async -> [String] {
        var notes: [String] = []
        let layout = try? CgroupLayout.detect()
        for (id, entry) in entries where !claimed.contains(id) {
            if entry.exit == nil {
                if id.hasPrefix("sandbox-") {
                    if let sandbox = PodSandbox.adopt(pid: entry.pid, startTime: ProcStat.startTime(pid: entry.pid) ?? 0) { sandbox.stop() }
                } else if let layout, let cgroup = Cgroup.existing(name: id, layout: layout) {
                    try? cgroup.destroy()
                }
                notes.append("\(id) (pid \(entry.pid)) belonged to no pod: killed")
            } else if let layout, !id.hasPrefix("sandbox-"), let cgroup = Cgroup.existing(name: id, layout: layout) {
                try? cgroup.destroy()
            }
            keeper.ack(id)
        }
        return notes
    }
}
