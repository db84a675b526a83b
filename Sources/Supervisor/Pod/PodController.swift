import CShims
import ContainerRuntime
import Foundation
import NIOCore
import PodNetwork
import PodSpec
import ProbeHandlers
import Probes

/// Options of a supervisor that are not part of any pod.
public struct SupervisorOptions: Sendable {
    public var store: PodStore
    public var backoffInitial: Duration = .seconds(10)
    public var backoffMax: Duration = .seconds(300)
    public var network: NetworkOptions
    public init(store: PodStore, backoffInitial: Duration = .seconds(10), backoffMax: Duration = .seconds(300),
                network: NetworkOptions = NetworkOptions()) {
        self.store = store
        self.backoffInitial = backoffInitial
        self.backoffMax = backoffMax
        self.network = network
    }
}

/// Runs pods and keeps them healthy: one actor owns every pod's state; container instances are
/// cloned on one long-lived thread, as children of swiftlet-keeper (CLONE_PARENT), which reaps
/// them, keeps their exit statuses and writes their logs, so they outlive this process; HTTP and
/// TCP probes share one SwiftNIO loop, which the actor runs on. Each change is written to the
/// pod's record at once, by the disk thread: the actor never waits for a file. A controller that
/// starts on a root with pods takes them over (`adoptAll`).
public actor PodController {
    let options: SupervisorOptions
    var store: PodStore { options.store }
    let clock = SystemClock()
    let spawner = WorkerThreads(name: "swiftlet-spawn")
    let disk = DiskQueue()
    let watcher = FDWatcher()
    let keeper: KeeperLink
    let probeIO: ProbeIO
    /// The network of pods run without options of their own, and of pods taken over.
    let networker: PodNetworker
    /// Networks of `run`s that named other options (another conf dir, pod CIDR...), by options.
    var networkers: [String: PodNetworker] = [:]
    /// Kept attachments of pods that are gone are released once, before the first pod starts.
    var reconciled = false
    var probes = ProbeManager()
    var pods: [String: PodState] = [:]
    /// The probe loop's next run, and when: replaced when something must run earlier.
    var probeTimer: Scheduled<Void>?
    var probeTimerAt: Instant?
    var metrics = SupervisorMetrics()
    /// Called with each event as it is recorded (the foreground `run` prints them).
    var eventSink: (@Sendable (String, StoredEvent) -> Void)?
    /// Called when the last pod is gone (a detached supervisor exits then).
    var onEmpty: (@Sendable () -> Void)?
    /// The process that holds the pods (swiftlet-keeper): records name it, so `get pods` tells a
    /// pod whose holder died (`Unknown`) from one whose daemon is merely down.
    let supervisorPID: Int32
    let supervisorStartTime: UInt64

    /// The actor runs on the probe event loop's thread, so HTTP and TCP probes start, run and
    /// report back on one thread without waking any other.
    public nonisolated var unownedExecutor: UnownedSerialExecutor {
        probeIO.eventLoop.executor.asUnownedSerialExecutor()
    }

    init(options: SupervisorOptions, keeper: KeeperLink) throws {
        self.options = options
        self.keeper = keeper
        networker = try PodNetworker(options: options.network, store: options.store)
        probeIO = try ProbeIO()
        supervisorPID = getppid()
        supervisorStartTime = ProcStat.startTime(pid: supervisorPID) ?? 0
    }

    public func setEventSink(_ sink: @escaping @Sendable (String, StoredEvent) -> Void) { eventSink = sink }
    public func setOnEmpty(_ f: @escaping @Sendable () -> Void) { onEmpty = f }

    public var podNames: [String] { pods.keys.sorted() }

    /// Every container of these pods started, or failed to (gone pods count as settled).
    public func settled(_ names: [String]) -> Bool {
        names.allSatisfy { name in
            // Waiting for a volume's ConfigMap or Secret, which may come later.
            if pods[name]?.volumes.failing == true { return true }
            return pods[name]?.record.containers.allSatisfy { c in
                if case .waiting(let reason, _) = c.state { reason != "ContainerCreating" } else { true }
            } ?? true
        }
    }

    // MARK: Starting pods

    /// Creates every pod of `file` (names must be free), gives each its sandbox and network, then
    /// starts their containers. Throws before starting any container when a name or a host port
    /// is taken, an image is missing, or any pod cannot get its network; the pods of the file
    /// that did get one are then undone, so nothing is left behind.
    public func create(_ file: [Pod], sourceFile: String, backoff: RestartBackOff? = nil, network: NetworkOptions? = nil) async throws {
        if !reconciled {
            reconciled = true
            for note in await networker.reconcile() { FileHandle.standardError.write(Data("swiftlet: \(note)\n".utf8)) }
        }
        let networker = try self.networker(for: network)
        var prepared: [(Pod, [String: ContainerSpecBuilder.Image])] = []
        for pod in file {
            if pods[pod.name] != nil || FileManager.default.fileExists(atPath: store.podDir(pod.name)) {
                throw SupervisorError("Error from server (AlreadyExists): pods \"\(pod.name)\" already exists")
            }
            try PodSecurity.admit(pod)
            var images: [String: ContainerSpecBuilder.Image] = [:]
            for (_, c) in pod.spec.everyContainer { images[c.name] = try ContainerSpecBuilder.image(at: c.image.resolved) }
            prepared.append((pod, images))
        }
        try HostPortCheck.check(file, against: store.loadAll())
        if networker.network == nil { try HostPortCheck.checkReachable(file) }
        let fileText = (try? String(contentsOfFile: sourceFile, encoding: .utf8)) ?? ""
        let manifests = PodFile.manifests(fileText, file: sourceFile)
        var states: [PodState] = []
        for (pod, images) in prepared {
            do { try store.create(pod.name) } catch {
                await undo(states)
                throw error
            }
            let state = PodState(pod: pod, images: images, sourceFile: sourceFile,
                                 manifest: manifests[pod.name] ?? fileText,
                                 backoff: backoff ?? RestartBackOff(initial: options.backoffInitial, maximum: options.backoffMax),
                                 supervisorPID: supervisorPID, supervisorStartTime: supervisorStartTime)
            state.networker = networker
            pods[pod.name] = state
            states.append(state)
        }
        // Sandboxes and networks of all pods at once (the plugins run on a bounded pool).
        let failures = await withTaskGroup(of: String?.self) { group in
            for state in states {
                group.addTask {
                    do { try await self.setUpSandbox(state) } catch { return "\(error)" }
                    return nil
                }
            }
            var failures: [String] = []
            for await failure in group { if let failure { failures.append(failure) } }
            return failures
        }
        guard failures.isEmpty else {
            await undo(states)
            throw SupervisorError(failures.sorted().joined(separator: "\n"))
        }
        // Pods that arrive together (a file of many) get the kubelet's restart jitter: each
        // worker's first probe waits a random part of its period, so their probes do not come in
        // lockstep every period. A lone pod is probed at once.
        probes.start = states.count > 1 ? clock.now : nil
        for state in states {
            let pod = state.pod
            probes.addPod(pod.name, containers: pod.spec.probedContainers.map(Self.probeTimings), at: clock.now)
            startContainers(state)
        }
        scheduleProbes()
    }



    /// The network for `options`: the daemon's own when nil or the same; a new conf dir is read
    /// once for each set of options a `run` names.
    func networker(for options: NetworkOptions?) throws -> PodNetworker {
        guard let options, options != self.options.network else { return networker }
        let key = "\(options)"
        if let known = networkers[key] { return known }
        let made = try PodNetworker(options: options, store: store)
        networkers[key] = made
        return made
    }

    /// The pause process, then its network (pinned namespace, CNI ADD, /etc files).
    func setUpSandbox(_ state: PodState) async throws {
        let pod = state.pod
        let hostname = HostsFile.podHostname(podName: pod.name, hostname: pod.spec.hostname)
        let sandbox: PodSandbox
        do {
            sandbox = try await spawner.run { [keeper] in
                let sandbox = try PodSandbox(hostname: hostname, hostNetwork: pod.spec.hostNetwork, dieWithParent: false,
                                             cloneParent: true, sharedPID: pod.spec.shareProcessNamespace)
                let startTime = ProcStat.startTime(pid: sandbox.pid) ?? 0
                do { try keeper.hold(id: Self.sandboxKeeperID(pid: sandbox.pid, startTime: startTime), pid: sandbox.pid,
                                     logPath: nil, stdout: nil, stderr: nil) } catch {
                    sandbox.stop()
                    throw error
                }
                return sandbox
            }
        } catch {
            throw SupervisorError("pod \"\(pod.name)\": \(error)")
        }
        state.sandbox = SendableBox(sandbox)
        state.record.sandboxPID = sandbox.pid
        state.record.sandboxStartTime = ProcStat.startTime(pid: sandbox.pid)
        state.record.network = nil
        let attached = try await (state.networker ?? networker).attach(pod, uid: state.record.uid, sandboxPID: sandbox.pid)
        watchSandbox(state, sandbox)
        state.record.network = attached.record
        state.etcFiles = attached.etcFiles
        if attached.record.netns != nil { metrics.networkAdd.add(attached.duration) }
        // The kubelet warns when it cuts nameservers or searches (DNSConfigForming). Its other DNS
        // warning, MissingClusterDNS, is left out: swiftlet never has cluster DNS, so ClusterFirst
        // falling back to the host's file is the normal case, not news for every pod.
        for warning in attached.warnings where warning.reason != ResolvConf.Event.missingClusterDNS {
            record(state, container: nil, EventNote(.warning, reason: warning.reason, message: warning.message))
        }
        state.record.startTime = Date()
        state.setCondition("PodScheduled", true)
        state.setCondition("Initialized", state.pod.spec.initContainers.isEmpty || state.initialized)
        save(state)
    }

    /// Takes back pods whose creation failed: their network, sandbox and directory.
    private func undo(_ states: [PodState]) async {
        for state in states {
            await releaseNetwork(state)
            let sandbox = state.sandbox
            pods[state.name] = nil
            await disk.run { [store, keeper] in
                if let sandbox { Self.stop(sandbox.value, keeper: keeper) }
                store.remove(state.name)
            }
        }
    }

    static func probeTimings(_ c: PodSpec.Container) -> ContainerProbes {
        func timing(_ p: PodSpec.Probe?) -> ProbeTiming? {
            p.map { ProbeTiming(initialDelaySeconds: $0.initialDelaySeconds, periodSeconds: $0.periodSeconds,
                                timeoutSeconds: $0.timeoutSeconds, successThreshold: $0.successThreshold,
                                failureThreshold: $0.failureThreshold) }
        }
        return ContainerProbes(name: c.name, liveness: timing(c.livenessProbe), readiness: timing(c.readinessProbe),
                               startup: timing(c.startupProbe))
    }

    // MARK: Container lifecycle

    /// Where a container's loop begins: a new pod starts it; a daemon that takes a pod over
    /// follows the instance that runs, or goes on after the exit it finds.
    enum LoopStart {
        case start
        case running(Instance)
        case exited(code: Int32)
    }

    /// Starts the container, waits for each instance to end, and starts the next one as the
    /// restart policy and back-off say, until the pod is deleted or the policy says stop.
    func runContainer(pod podName: String, container name: String, from start: LoopStart = .start) async {
        var step = start
        while let pod = pods[podName] {
            switch step {
            case .start:
                guard !pod.deleting, !startRefused(pod, name) else { return }
                guard await resolveContainerConfig(pod, name) else { return }
                guard let instance = await startInstance(pod, name) else {
                    // Could not start (the event says why): treat like an exit with an error.
                    step = .exited(code: 128)
                    continue
                }
                step = .running(instance)
            case .running(let instance):
                let exit = await exitStatus(of: instance)
                instanceExited(pod, name, instance, exit)
                step = .exited(code: exit.status.shellCode)
            case .exited(let code):
                if await !waitBeforeRestart(pod, name, exitCode: code) { return }
                step = .start
            }
        }
    }

    /// How an instance ended, as the keeper saw it reap the process (the exact wait status and
    /// time); OOMKilled only when the container's cgroup counted an OOM kill.
    func exitStatus(of instance: Instance) async -> InstanceExit {
        let exit = await keeper.exit(of: instance.container.id)
        return InstanceExit(status: ExitStatus(waitStatus: exit.waitStatus, oomKilled: instance.container.cgroup.oomKillCount() > 0),
                            finishedAt: exit.finishedAt, unknown: false)
    }

    struct InstanceExit {
        var status: ExitStatus
        var finishedAt: Date
        /// The keeper did not hold the process (it died with its holder): the status is made up
        /// and says so (the kubelet's ContainerStatusUnknown).
        var unknown: Bool
    }

    /// The keeper's name for a pod's pause process.
    static func sandboxKeeperID(pid: Int32, startTime: UInt64) -> String { "sandbox-\(pid)-\(startTime)" }

    /// Kills a pause process and waits for it; the keeper, whose child it is, forgets it.
    nonisolated static func stop(_ sandbox: PodSandbox, keeper: KeeperLink) {
        let startTime = ProcStat.startTime(pid: sandbox.pid)
        sandbox.stop()
        if let startTime { keeper.ack(sandboxKeeperID(pid: sandbox.pid, startTime: startTime)) }
    }

    /// One running instance of a container.
    final class Instance: @unchecked Sendable {
        let container: ContainerRuntime.Container
        /// The probe manager's name for this instance.
        let id: ContainerInstanceID
        /// The OCI config it runs with: exec probes reuse its process settings and seccomp.
        let spec: OCISpec
        let number: Int
        let startedAt: Date
        var killReason: KillReason?
        var exited = false
        init(container: ContainerRuntime.Container, id: ContainerInstanceID, spec: OCISpec, number: Int, startedAt: Date) {
            self.container = container
            self.id = id
            self.spec = spec
            self.number = number
            self.startedAt = startedAt
        }
    }

    private func startInstance(_ pod: PodState, _ name: String) async -> Instance? {
        while pod.replacingSandbox && !pod.deleting { try? await Task.sleep(for: .milliseconds(100)) }
        guard !pod.deleting else { return nil }
        guard let spec = pod.resolvedContainers[name] ?? pod.pod.spec.anyContainer(named: name),
              let image = pod.images[name], pod.sandbox != nil else { return nil }
        guard await mountVolumes(pod) else { return nil }
        let number = pod.nextInstance[name, default: 0]
        pod.nextInstance[name] = number + 1
        if number == 0 { record(pod, container: name, EventMessages.pulled(image: spec.image.written)) }
        let builder = ContainerSpecBuilder(pod: pod.pod, container: spec, store: store,
                                           sandboxNamespaces: pod.sandboxNamespaces,
                                           etcFiles: pod.etcFiles,
                                           baseDir: (pod.sourceFile as NSString).deletingLastPathComponent)
        do {
            let oci = try builder.build(image: image)
            let subPaths = try SubPathMounts.plan(pod: pod.pod, container: spec, store: store)
            let files = InstanceFiles(store: store, pod: pod.name, container: name, number: number)
            let id = ContainerRecord.instanceID(pod: pod.name, container: name, instance: number, uid: pod.record.uid)
            // Files first, then the clone, all on the spawn thread: the actor's thread runs the
            // probes and must not wait for a disk.
            pod.starting.insert(name)
            defer { pod.starting.remove(name) }
            // The record names the instance before it exists: a daemon killed during the clone
            // leaves a record from which the next one finds and removes what it left.
            pod.update(name) { c in c.instance = number }
            save(pod)
            let container = try await spawner.run { [keeper] in
                for subPath in subPaths.values { try SubPathMounts.bind(subPath) }
                try files.prepare(spec: oci)
                return try Self.startContainer(id: id, spec: oci, bundle: files.bundle, overlay: files.overlay,
                                               logPath: files.logPath, keeper: keeper)
            }
            guard !pod.deleting else {
                // The pod is going: this instance never joins it. Killed and removed here, before
                // the deletion (which waits for `starting`) removes the pod's directory.
                try? container.cgroup.kill(signal: SIGKILL)
                _ = await keeper.exit(of: id)
                await disk.run { [keeper] in
                    try? container.destroy()
                    keeper.ack(id)
                }
                return nil
            }
            let instance = Instance(container: container, id: ContainerInstanceID(id), spec: oci, number: number,
                                    startedAt: Date())
            if let decided = pod.restartDecidedAt.removeValue(forKey: name) { metrics.restarts.add(.now - decided) }
            pod.instances[name] = instance
            watchOOM(container.cgroup)
            record(pod, container: name, EventMessages.created(container: name))
            record(pod, container: name, EventMessages.started(container: name))
            pod.update(name) { c in
                c.state = .running(startedAt: instance.startedAt)
                c.startPending = nil
                c.pid = container.pid
                c.pidStartTime = container.startTime
                c.cgroup = container.cgroup.paths
                c.instance = number
            }
            let updates = probes.containerStarted(pod: pod.name, container: name, id: instance.id, at: clock.now)
            apply(updates, pod)
            refreshStatus(pod)
            scheduleProbes()
            return instance
        } catch {
            record(pod, container: name, EventMessages.failed(error: "\(error)"))
            pod.update(name) { c in
                c.state = .waiting(reason: error is ContainerConfigError ? "CreateContainerConfigError" : "CreateContainerError",
                                   message: "\(error)")
                c.startPending = nil
            }
            refreshStatus(pod)
            return nil
        }
    }

    /// Clones the container as the keeper's child with its stdout and stderr on new pipes, and
    /// hands it and the pipes' read ends to the keeper, which writes its log from then on. Runs
    /// on the spawn thread.
    private nonisolated static func startContainer(id: String, spec: OCISpec, bundle: String, overlay: RootfsOverlay,
                                                   logPath: String, keeper: KeeperLink) throws -> ContainerRuntime.Container {
        var out: [Int32] = [-1, -1], err: [Int32] = [-1, -1]
        guard sl_pipe_cloexec(&out) == 0 else { throw SupervisorError("pipe: \(Errno.current)") }
        guard sl_pipe_cloexec(&err) == 0 else {
            let error = Errno.current
            out.forEach { close($0) }
            throw SupervisorError("pipe: \(error)")
        }
        defer { (out + err).forEach { close($0) } }
        let container = try ContainerRuntime.Container.start(
            id: id, spec: spec, bundle: bundle,
            options: LaunchOptions(dieWithParent: false, stdio: Stdio(input: -1, output: out[1], error: err[1]), overlay: overlay,
                                   cloneParent: true))
        do {
            try keeper.hold(id: id, pid: container.pid, logPath: logPath, stdout: out[0], stderr: err[0])
        } catch {
            try? container.destroy()
            keeper.ack(id)
            throw SupervisorError("container \(id): \(error)")
        }
        return container
    }

    func instanceExited(_ pod: PodState, _ name: String, _ instance: Instance, _ end: InstanceExit) {
        instance.exited = true
        let exit = end.status
        let code = exit.shellCode
        let reason = end.unknown ? "ContainerStatusUnknown" : exit.oomKilled ? "OOMKilled" : (code == 0 ? "Completed" : "Error")
        let message = end.unknown ? "swiftlet-keeper, which held the container, was gone: its exit status is unknown, and it was killed" : nil
        let terminated = ContainerRecord.Terminated(exitCode: code, signal: end.unknown ? nil : exit.signal, reason: reason,
                                                    message: message, startedAt: instance.startedAt, finishedAt: end.finishedAt)
        pod.instances[name] = nil
        pod.lastExit[name] = clock.now - .nanoseconds(Int64(max(0, Date().timeIntervalSince(end.finishedAt)) * 1e9))
        let willRestart = restartsAfterExit(pod, name, exitCode: code, killedByProbe: instance.killReason != nil)
        apply(probes.containerExited(pod: pod.name, container: name, willRestart: willRestart), pod)
        pod.update(name) { c in
            c.state = .terminated(terminated)
            c.pid = nil
            c.pidStartTime = nil
            c.ready = false
            c.started = false
        }
        refreshStatus(pod)
        // Unmounting and removing cgroups can be slow: done on the disk thread, after the record
        // that says the instance ended is written; only then may the keeper forget the exit.
        let id = instance.container.id
        disk.perform { [keeper] in
            try? instance.container.destroy()
            keeper.ack(id)
        }
    }

    /// After an exit: true when the container should start again (after its back-off).
    private func waitBeforeRestart(_ pod: PodState, _ name: String, exitCode: Int32) async -> Bool {
        let killedByProbe = pod.probeKilled.remove(name) != nil
        guard restartsAfterExit(pod, name, exitCode: exitCode, killedByProbe: killedByProbe) else {
            pod.finished.insert(name)
            refreshStatus(pod)
            return false
        }
        while !pod.deleting {
            var backoff = pod.backoffs[name] ?? pod.defaultBackoff
            let decision = backoff.restart(lastExit: pod.lastExit[name] ?? clock.now, now: clock.now)
            pod.backoffs[name] = backoff
            switch decision {
            case .restartNow:
                pod.update(name) { c in
                    if case .terminated(let t) = c.state { c.lastState = .terminated(t) }
                    c.restartCount += 1
                    c.startPending = true
                }
                save(pod)
                return true
            case .wait(let window, let until):
                let waiting = ContainerWaiting.crashLoopBackOff(backOff: window, container: name, pod: pod.reference)
                record(pod, container: name, EventMessages.backOff(container: name, pod: pod.reference))
                pod.update(name) { c in
                    if case .terminated(let t) = c.state { c.lastState = .terminated(t) }
                    c.state = .waiting(reason: waiting.reason, message: waiting.message)
                }
                refreshStatus(pod)
                try? await Task.sleep(for: until - clock.now)
            }
        }
        return false
    }

    // MARK: Killing

    /// The image's stop signal (SIGTERM unless it names another), then SIGKILL for everything in
    /// the container's cgroup after the grace period.
    func kill(_ pod: PodState, _ name: String, reason: KillReason, graceSeconds: Int64) {
        guard let instance = pod.instances[name], instance.killReason == nil else { return }
        instance.killReason = reason
        let restart = reason != .stopping && pod.pod.spec.restartPolicy != .never
        record(pod, container: name, killingEvent(pod, name, reason: reason, willRestart: restart))
        if reason != .stopping {
            pod.probeKilled.insert(name)
            pod.restartDecidedAt[name] = .now
        }
        try? instance.container.signal(pod.images[name]?.stopSignal ?? SIGTERM)
        Task {
            let deadline = ContinuousClock.now + .seconds(graceSeconds)
            while !instance.exited && ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(50)) }
            if !instance.exited { try? instance.container.cgroup.kill(signal: SIGKILL) }
        }
    }

    func graceSeconds(_ pod: PodState, _ name: String, reason: KillReason, deletionGrace: Int64? = nil) -> Int64 {
        let spec = pod.pod.spec.anyContainer(named: name)
        let probeGrace: Int64? = switch reason {
        case .livenessProbe: spec?.livenessProbe?.terminationGracePeriodSeconds
        case .startupProbe: spec?.startupProbe?.terminationGracePeriodSeconds
        case .stopping: nil
        }
        return GracePeriod.seconds(for: reason, podGraceSeconds: pod.pod.spec.terminationGracePeriodSeconds,
                                   probeGraceSeconds: probeGrace, deletionGraceSeconds: deletionGrace)
    }

    /// Applies published probe results: kills on liveness/startup failure, readiness to status.
    func apply(_ updates: [ProbeResults.Update], _ pod: PodState) {
        for u in updates where u.requestsKill {
            let reason: KillReason = u.key.kind == .startup ? .startupProbe : .livenessProbe
            kill(pod, u.key.container, reason: reason, graceSeconds: graceSeconds(pod, u.key.container, reason: reason))
        }
    }

    // MARK: Status and events

    func refreshStatus(_ pod: PodState) {
        for c in pod.pod.spec.probedContainers {
            let status = pod.instances[c.name].map { probes.status(pod: pod.name, container: c.name, instance: $0.id, running: true) }
            pod.update(c.name) { r in
                r.ready = status?.ready ?? false
                r.started = status?.started ?? false
            }
        }
        let states: [ContainerPhaseState] = pod.record.containers.map { c in
            switch c.state {
            case .running: return .running
            case .waiting: return .waiting(afterTermination: c.restartCount > 0 || c.lastState != nil)
            case .terminated(let t): return pod.finished.contains(c.name) ? .terminated(exitCode: t.exitCode) : .waiting(afterTermination: true)
            }
        }
        let policy = Probes.RestartPolicy(rawValue: pod.pod.spec.restartPolicy.rawValue) ?? .always
        let allDone = pod.pod.spec.containers.allSatisfy { pod.finished.contains($0.name) }
        pod.record.phase = phase(pod, containers: states, restartPolicy: policy, podIsTerminal: allDone).rawValue
        let ready = pod.record.containers.allSatisfy(\.ready) && sidecarsReady(pod)
        pod.setCondition("ContainersReady", ready)
        pod.setCondition("Ready", ready)
        if allDone {
            appContainersDone(pod)
            probes.podTerminated(pod.name)
        }
        save(pod)
    }

    /// Writes the record and waits until it is on disk.
    func saveNow(_ pod: PodState) async {
        pod.syncBookkeeping()
        let record = pod.record
        pod.savedRecord = record
        await disk.run { [store] in try? PodStore.writeAtomically(PodStore.encode(record), to: store.recordPath(record.name)) }
    }

    /// Writes the record when it changed: most probe results change nothing a reader sees.
    func save(_ pod: PodState) {
        pod.syncBookkeeping()
        guard pod.record != pod.savedRecord else { return }
        let record = pod.record
        disk.write(store.recordPath(pod.name)) { try PodStore.encode(record) }
        pod.savedRecord = record
    }

    func record(_ pod: PodState, container: String?, _ note: EventNote) {
        let object = container.map { eventObject(pod, container: $0) } ?? "pod/\(pod.name)"
        let now = Date()
        if let i = pod.events.lastIndex(where: { $0.object == object && $0.type == note.type.rawValue && $0.reason == note.reason && $0.message == note.message }) {
            pod.events[i].count += 1
            pod.events[i].lastTimestamp = now
            eventSink?(pod.name, pod.events[i])
        } else {
            let e = StoredEvent(type: note.type.rawValue, reason: note.reason, message: note.message, object: object,
                                source: "swiftlet", firstTimestamp: now, lastTimestamp: now, count: 1)
            pod.events.append(e)
            eventSink?(pod.name, e)
        }
        let events = pod.events
        disk.write(store.eventsPath(pod.name)) { try PodStore.encode(events) }
    }

    // MARK: Deletion

    /// Stops the pod gracefully (its containers get SIGTERM, then SIGKILL after the grace
    /// period), removes its sandbox, cgroups, layers, logs and record.
    public func delete(pod name: String, graceSeconds: Int64? = nil) async {
        guard let pod = pods[name], !pod.deleting else { return }
        pod.deleting = true
        pod.record.deletionTimestamp = Date()
        pod.record.deletionGracePeriodSeconds = Int(graceSeconds ?? pod.pod.spec.terminationGracePeriodSeconds)
        apply(probes.podDeleting(name), pod)
        scheduleProbes()
        // On disk before anything is stopped: a daemon killed from here on leaves a record that
        // tells the next one to finish the deletion.
        await saveNow(pod)
        await stopInTerminationOrder(pod, deletionGrace: graceSeconds)
        while !pod.instances.isEmpty || !pod.starting.isEmpty || pod.replacingSandbox { try? await Task.sleep(for: .milliseconds(50)) }
        probes.removePod(name)
        let sandbox = pod.sandbox
        await releaseNetwork(pod)
        // After the instances' own clean-up (queued before this), and before the name is free
        // again: a new pod of this name must not lose its directory to this removal.
        await disk.run { [store, keeper] in
            if let sandbox { Self.stop(sandbox.value, keeper: keeper) }
            store.remove(name)
        }
        pods[name] = nil
        if pods.isEmpty { onEmpty?() }
    }

    /// The probes' cached handle on the pod's namespace, then CNI DEL while the namespace is still
    /// pinned (the bridge plugin needs it to remove its rules) and the pin. A failed DEL is logged;
    /// its kept attachment is retried by the next supervisor.
    func releaseNetwork(_ pod: PodState) async {
        if let netns = pod.probeNetns { probeIO.release(netns: netns) }
        guard let network = pod.record.network else { return }
        do {
            let took = try await (pod.networker ?? networker).detach(network)
            if network.netns != nil { metrics.networkDel.add(took) }
        } catch {
            FileHandle.standardError.write(Data("swiftlet: pod \"\(pod.name)\": \(error) (the next supervisor retries)\n".utf8))
        }
    }

    /// Every pod, in parallel (Ctrl-C of a foreground run).
    public func deleteAll() async {
        await withTaskGroup(of: Void.self) { group in
            for name in pods.keys { group.addTask { await self.delete(pod: name) } }
        }
    }
}
