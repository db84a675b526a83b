import Supervisor

/// Which container of a pod a command means, with kubectl's messages when it cannot tell.
enum ContainerSelection {
    static let defaultContainerAnnotation = "kubectl.kubernetes.io/default-container"

    static func choose(_ requested: String?, in record: PodRecord) throws(CLIError) -> ContainerRecord {
        if let requested {
            // Init containers too, as `kubectl logs -c init-myservice` reads them.
            guard let container = (record.containers + (record.initContainers ?? [])).first(where: { $0.name == requested }) else {
                throw CLIError("Error from server (BadRequest): container \(requested) is not valid for pod \(record.name)")
            }
            return container
        }
        if record.containers.count == 1, let only = record.containers.first { return only }
        if let name = record.annotations[defaultContainerAnnotation],
           let container = record.containers.first(where: { $0.name == name }) {
            return container
        }
        let names = record.containers.map(\.name).joined(separator: " ")
        throw CLIError.error("a container name must be specified for pod \(record.name), choose one of: [\(names)]")
    }

    /// The instance whose log `logs` reads, as the kubelet picks the container: the running or
    /// last terminated one; with `previous`, the one recorded in lastState.terminated (while the
    /// container waits to restart, that is the instance that just ended).
    static func logInstance(of c: ContainerRecord, pod: String, previous: Bool) throws(CLIError) -> Int {
        let hasLast = if case .terminated? = c.lastState { true } else { false }
        if previous {
            guard hasLast else {
                throw CLIError("Error from server (BadRequest): previous terminated container \"\(c.name)\" in pod \"\(pod)\" not found")
            }
            if case .waiting = c.state { return c.instance }
            return c.instance - 1
        }
        switch c.state {
        case .running, .terminated:
            return c.instance
        case .waiting(let reason, _):
            guard hasLast else {
                throw CLIError("Error from server (BadRequest): container \"\(c.name)\" in pod \"\(pod)\" is waiting to start: \(reason)")
            }
            return c.instance
        }
    }
}
