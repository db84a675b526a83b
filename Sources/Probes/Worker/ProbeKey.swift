/// One worker's identity: a probe kind of a named container of a pod (by UID), as the kubelet's
/// `probeKey`. Container instances come and go under the same key.
public struct ProbeKey: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var pod: String
    public var container: String
    public var kind: ProbeType

    public init(pod: String, container: String, kind: ProbeType) {
        self.pod = pod
        self.container = container
        self.kind = kind
    }

    /// A stable order, so a manager's output does not depend on dictionary order.
    public static func < (lhs: ProbeKey, rhs: ProbeKey) -> Bool {
        (lhs.pod, lhs.container, lhs.kind.order) < (rhs.pod, rhs.container, rhs.kind.order)
    }

    public var description: String { "\(pod)/\(container)/\(kind.rawValue)" }
}

private extension ProbeType {
    var order: Int { ProbeType.allCases.firstIndex(of: self) ?? 0 }
}
