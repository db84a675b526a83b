/// The results cache other parts read and watch, like the kubelet's results manager
/// (pkg/kubelet/prober/results): one published state per probe kind and container instance.
/// Changes come back as values from `apply`, in place of the kubelet's updates channel.
public struct ProbeResults: Sendable {
    /// A changed result, for whoever watches: the restart logic acts on `requestsKill`,
    /// the status on readiness and startup.
    public struct Update: Hashable, Sendable {
        public var key: ProbeKey
        public var container: ContainerInstanceID
        public var state: ProbeState
        public var requestsKill: Bool

        public init(key: ProbeKey, container: ContainerInstanceID, state: ProbeState, requestsKill: Bool = false) {
            self.key = key
            self.container = container
            self.state = state
            self.requestsKill = requestsKill
        }
    }

    private struct Slot: Hashable, Sendable {
        var kind: ProbeType
        var container: ContainerInstanceID
    }

    private var states: [Slot: ProbeState] = [:]

    public init() {}

    public func state(_ kind: ProbeType, of container: ContainerInstanceID) -> ProbeState? {
        states[Slot(kind: kind, container: container)]
    }

    /// Stores a worker's transition. Returns an update only when the stored value changed, as the
    /// kubelet sends one only then.
    public mutating func apply(_ transition: ProbeTransition, for key: ProbeKey) -> Update? {
        let slot = Slot(kind: transition.kind, container: transition.container)
        guard states[slot] != transition.state else { return nil }
        states[slot] = transition.state
        return Update(key: key, container: transition.container, state: transition.state,
                      requestsKill: transition.requestsKill)
    }

    public mutating func remove(_ kind: ProbeType, of container: ContainerInstanceID) {
        states[Slot(kind: kind, container: container)] = nil
    }

    public var isEmpty: Bool { states.isEmpty }
}
