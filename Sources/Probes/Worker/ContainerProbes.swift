/// The probes one container of a pod declares: the input a `ProbeManager` needs per container.
public struct ContainerProbes: Hashable, Sendable {
    public var name: String
    public var liveness: ProbeTiming?
    public var readiness: ProbeTiming?
    public var startup: ProbeTiming?

    public init(name: String, liveness: ProbeTiming? = nil, readiness: ProbeTiming? = nil, startup: ProbeTiming? = nil) {
        self.name = name
        self.liveness = liveness
        self.readiness = readiness
        self.startup = startup
    }

    public func timing(for kind: ProbeType) -> ProbeTiming? {
        switch kind {
        case .liveness: liveness
        case .readiness: readiness
        case .startup: startup
        }
    }
}

/// What the probes say about one running container instance: `containerStatuses[].started`
/// and `.ready`.
public struct ContainerProbeStatus: Hashable, Sendable {
    public var started: Bool
    public var ready: Bool

    public init(started: Bool, ready: Bool) {
        self.started = started
        self.ready = ready
    }
}
