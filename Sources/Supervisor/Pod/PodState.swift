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
    /// The kubelet's /etc files its network setup wrote (destination in the container -> file).
    var etcFiles: [String: String] = [:]
    var instances: [String: PodController.Instance] = [:]
    /// Containers whose next instance is being cloned (not in `instances` yet): a deletion
    /// waits for them, or it could remove the pod while a container is still coming up.
    var starting: Set<String> = []
    var nextInstance: [String: Int] = [:]
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
            sandboxPID: nil, sandboxStartTime: nil, network: nil, deletionTimestamp: nil, deletionGracePeriodSeconds: nil)
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
        if pod.spec.hostNetwork { return ["ipc": sandbox.namespacePath("ipc"), "network": "", "uts": ""] }
        return ["network": record.network?.netns ?? sandbox.namespacePath("net"),
                "uts": sandbox.namespacePath("uts"), "ipc": sandbox.namespacePath("ipc")]
    }

    func update(_ container: String, _ change: (inout ContainerRecord) -> Void) {
        guard let i = record.containers.firstIndex(where: { $0.name == container }) else { return }
        change(&record.containers[i])
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
