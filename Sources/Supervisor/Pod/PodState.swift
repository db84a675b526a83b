import ContainerRuntime
import Foundation
import PodSpec
import Probes

/// The supervisor's live state of one pod. Owned by the PodController actor; never shared.
final class PodState: @unchecked Sendable {
    let pod: Pod
    let images: [String: ContainerSpecBuilder.Image]
    let sourceFile: String
    var record: PodRecord
    /// What pod.json holds now.
    var savedRecord: PodRecord?
    var sandbox: SendableBox<PodSandbox>?
    /// The network its `run` asked for (nil: the daemon's own).
    var networker: PodNetworker?
    /// The kubelet's /etc files its network setup wrote (destination in the container -> file).
    var etcFiles: [String: String] = [:]
    var instances: [String: PodController.Instance] = [:]
    /// Containers whose next instance is being cloned (not in `instances` yet): a deletion
    /// waits for them, or it could remove the pod while a container is still coming up.
    var starting: Set<String> = []
    var nextInstance: [String: Int] = [:]
    /// Each container as its next instance is created: environment resolved (ConfigMaps,
    /// Secrets, downward API) and `$(VAR)` expanded (`resolveContainerConfig`).
    var resolvedContainers: [String: PodSpec.Container] = [:]
    var lastExit: [String: Probes.Instant] = [:]
    var backoffs: [String: RestartBackOff] = [:]
    let defaultBackoff: RestartBackOff
    /// Containers whose last instance a probe killed (the restart policy counts that as failure).
    var probeKilled: Set<String> = []
    /// When a probe failure decided to restart a container (for the restart latency metric).
    var restartDecidedAt: [String: ContinuousClock.Instant] = [:]
    /// Containers that will not run again (policy said so).
    var finished: Set<String> = []
    var events: [StoredEvent] = []
    var deleting = false
    /// The sandbox died and a new one is being made: containers wait before they start.
    var replacingSandbox = false
    /// The pod's sidecars are being stopped for good (its app containers are done, or its
    /// initialization failed under `Never`): they are not restarted any more.
    var stoppingSidecars = false
    /// Whether its volumes are set up, or being set up.
    var volumes = PodVolumeState()

    var name: String { pod.name }
    var uidShort: String { String(record.uid.prefix(8)) }
    var reference: PodReference { PodReference(name: pod.name, namespace: pod.metadata.namespace, uid: record.uid) }

    init(pod: Pod, images: [String: ContainerSpecBuilder.Image], sourceFile: String, manifest: String,
         backoff: RestartBackOff, supervisorPID: Int32, supervisorStartTime: UInt64) {
        self.pod = pod
        self.images = images
        self.sourceFile = sourceFile
        defaultBackoff = backoff
        record = PodRecord(
            name: pod.name, namespace: pod.metadata.namespace, uid: UUID().uuidString.lowercased(),
            creationTimestamp: Date(), labels: pod.metadata.labels, annotations: pod.metadata.annotations,
            manifest: manifest, sourceFile: sourceFile, restartPolicy: pod.spec.restartPolicy.rawValue,
            phase: "Pending", reason: nil, message: nil, startTime: nil, conditions: [],
            containers: pod.spec.containers.map { c in
                ContainerRecord(name: c.name, image: c.image.written, ready: false, started: false, restartCount: 0,
                                state: .waiting(reason: "ContainerCreating", message: nil), lastState: nil,
                                pid: nil, pidStartTime: nil, cgroup: nil, instance: 0)
            },
            supervisorPID: supervisorPID, supervisorStartTime: supervisorStartTime,
            sandboxPID: nil, sandboxStartTime: nil, network: nil, deletionTimestamp: nil, deletionGracePeriodSeconds: nil,
            resolvedImages: Dictionary(uniqueKeysWithValues: pod.spec.containers.map { ($0.name, $0.image.resolved) }),
            backoffInitialNanoseconds: Self.nanoseconds(backoff.initial), backoffMaxNanoseconds: Self.nanoseconds(backoff.maximum))
        Self.addInitContainers(to: &record, pod: pod)
    }

    /// A pod a previous daemon ran, from its record: the restart bookkeeping goes on from there.
    init(adopting record: PodRecord, pod: Pod, images: [String: ContainerSpecBuilder.Image], events: [StoredEvent],
         backoff: RestartBackOff, supervisorPID: Int32, supervisorStartTime: UInt64) {
        self.pod = pod
        self.images = images
        sourceFile = record.sourceFile
        defaultBackoff = backoff
        self.record = record
        self.record.supervisorPID = supervisorPID
        self.record.supervisorStartTime = supervisorStartTime
        self.events = events
        for c in record.containers + (record.initContainers ?? []) {
            if let saved = c.backOff {
                backoffs[c.name] = RestartBackOff(initial: backoff.initial, maximum: backoff.maximum, saved: saved)
            }
            if let ns = c.lastExitNanoseconds { lastExit[c.name] = Probes.Instant(sinceOrigin: .nanoseconds(ns)) }
            if c.probeKilled == true { probeKilled.insert(c.name) }
            if c.finished == true { finished.insert(c.name) }
        }
    }

    static func nanoseconds(_ d: Duration) -> Int64 {
        d.components.seconds * 1_000_000_000 + d.components.attoseconds / 1_000_000_000
    }

    /// Copies the restart bookkeeping into the record, so the next daemon can go on from it.
    func syncBookkeeping() {
        for i in record.containers.indices { copyBookkeeping(into: &record.containers[i]) }
        for i in (record.initContainers ?? []).indices { copyBookkeeping(into: &record.initContainers![i]) }
    }

    private func copyBookkeeping(into c: inout ContainerRecord) {
        c.backOff = backoffs[c.name]?.saved
        c.lastExitNanoseconds = lastExit[c.name].map { Self.nanoseconds($0.sinceOrigin) }
        c.probeKilled = probeKilled.contains(c.name) ? true : nil
        c.finished = finished.contains(c.name) ? true : nil
    }

    /// The address probes aim at when they name no host (the kubelet's rule); nil: 127.0.0.1.
    var podIP: String? { record.network?.podIPs.first }

    /// The namespace probes dial from: the pinned one, else the sandbox's (loopback-only pods,
    /// and the host's own for a hostNetwork pod).
    var probeNetns: String? { record.network?.netns ?? sandbox?.value.namespacePath("net") }

    /// The namespaces a container joins: the sandbox's. A hostNetwork pod's containers stay in the
    /// host's network and uts namespaces, as the kubelet's do.
    var sandboxNamespaces: [String: String] {
        guard let sandbox = sandbox?.value else { return [:] }
        if pod.spec.hostNetwork { return ["ipc": sandbox.namespacePath("ipc"), "network": "", "uts": ""].merging(sharedPID) { $1 } }
        return ["network": record.network?.netns ?? sandbox.namespacePath("net"),
                "uts": sandbox.namespacePath("uts"), "ipc": sandbox.namespacePath("ipc")].merging(sharedPID) { $1 }
    }

    /// shareProcessNamespace: the sandbox's pid namespace, which every container joins.
    private var sharedPID: [String: String] {
        guard pod.spec.shareProcessNamespace, let sandbox = sandbox?.value else { return [:] }
        return ["pid": sandbox.namespacePath("pid")]
    }

    func update(_ container: String, _ change: (inout ContainerRecord) -> Void) {
        if let i = record.containers.firstIndex(where: { $0.name == container }) {
            change(&record.containers[i])
        } else if let i = record.initContainers?.firstIndex(where: { $0.name == container }) {
            change(&record.initContainers![i])
        }
    }

    /// Sets a condition, keeping its transition time when the status does not change.
    func setCondition(_ type: String, _ value: Bool) {
        let status = value ? "True" : "False"
        if let i = record.conditions.firstIndex(where: { $0.type == type }) {
            if record.conditions[i].status != status {
                record.conditions[i] = PodRecord.Condition(type: type, status: status, lastTransitionTime: Date())
            }
        } else {
            record.conditions.append(PodRecord.Condition(type: type, status: status, lastTransitionTime: Date()))
        }
    }
}
