/// `spec.initContainers[].restartPolicy`: the only value the API accepts is `Always`, which makes
/// the init container a native sidecar (KEP-753): started in order with the other init
/// containers, then kept running, restarted whenever it exits, beside the app containers.
public enum ContainerRestartPolicy: String, Sendable, Equatable, CaseIterable {
    case always = "Always"
}

extension Container {
    /// A native sidecar: an init container with `restartPolicy: Always` (the kubelet's
    /// `IsRestartableInitContainer`).
    public var isRestartableInit: Bool { restartPolicy == .always }
}

/// What part a container plays in its pod.
public enum ContainerRole: Sendable, Equatable {
    /// `spec.containers[]`.
    case app
    /// `spec.initContainers[]` without `restartPolicy: Always`: runs once to completion.
    case initContainer
    /// `spec.initContainers[]` with `restartPolicy: Always`.
    case sidecar
}

extension PodSpec {
    /// This spec with these init containers (the decoder's last step).
    func with(initContainers: [Container]) -> PodSpec {
        var spec = self
        spec.initContainers = initContainers
        return spec
    }

    /// The native sidecars, in spec order.
    public var sidecars: [Container] { initContainers.filter(\.isRestartableInit) }

    /// A container of either list (names are unique across both).
    public func anyContainer(named name: String) -> Container? {
        containers.first { $0.name == name } ?? initContainers.first { $0.name == name }
    }

    public func role(of name: String) -> ContainerRole {
        guard let c = initContainers.first(where: { $0.name == name }) else { return .app }
        return c.isRestartableInit ? .sidecar : .initContainer
    }

    /// Containers whose probes run (app containers and sidecars), as the kubelet's prober adds them.
    public var probedContainers: [Container] { sidecars + containers }
}

extension PodSpec {
    /// Init containers then app containers, each with its field path (`spec.initContainers[0]`).
    public var everyContainer: [(path: String, container: Container)] {
        initContainers.enumerated().map { ("spec.initContainers[\($0.offset)]", $0.element) }
            + containers.enumerated().map { ("spec.containers[\($0.offset)]", $0.element) }
    }

    /// Changes every container of both lists (image paths resolved by `run`, by the daemon).
    public mutating func updateEveryContainer(_ change: (inout Container) -> Void) {
        for i in initContainers.indices { change(&initContainers[i]) }
        for i in containers.indices { change(&containers[i]) }
    }
}
