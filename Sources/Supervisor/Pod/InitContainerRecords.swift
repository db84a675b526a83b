import PodSpec

/// The records of a pod's init containers, as the kubelet first reports them
/// (`convertToAPIContainerStatuses`): with init containers in the pod, every container, init or
/// app, waits as `PodInitializing` until it is created.
extension PodState {
    static func addInitContainers(to record: inout PodRecord, pod: Pod) {
        let inits = pod.spec.initContainers
        guard !inits.isEmpty else { return }
        for i in record.containers.indices { record.containers[i].state = .waiting(reason: "PodInitializing", message: nil) }
        record.initContainers = inits.map { c in
            ContainerRecord(name: c.name, image: c.image.written, ready: false, started: false, restartCount: 0,
                            state: .waiting(reason: "PodInitializing", message: nil), lastState: nil,
                            pid: nil, pidStartTime: nil, cgroup: nil, instance: 0, sidecar: c.isRestartableInit ? true : nil)
        }
        for c in inits { record.resolvedImages?[c.name] = c.image.resolved }
    }

    /// The pod's `Initialized` condition is true: every regular init container completed and
    /// every sidecar started.
    var initialized: Bool {
        record.conditions.contains { $0.type == "Initialized" && $0.status == "True" }
    }

    /// A record of either list.
    func containerRecord(_ name: String) -> ContainerRecord? {
        record.containers.first { $0.name == name } ?? record.initContainers?.first { $0.name == name }
    }
}
