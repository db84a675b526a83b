/// The pod `securityContext` fields swiftlet honours. The user and group fields, `runAsNonRoot`
/// and `seccompProfile` are defaults that a container's own `securityContext` overrides field by
/// field; `supplementalGroups` and `fsGroup` are added to every container's groups.
public struct PodSecurityContext: Sendable, Equatable {
    public var runAsUser: Int64?
    public var runAsGroup: Int64?
    public var runAsNonRoot: Bool?
    public var supplementalGroups: [Int64]
    /// Added to every container's supplementary groups; volume ownership is the volumes' work.
    public var fsGroup: Int64?
    /// Namespaced kernel parameters of the pod, in the order written (the kubelet's safe set).
    public var sysctls: [Sysctl]
    public var seccompProfile: SeccompProfile?

    public init(runAsUser: Int64? = nil, runAsGroup: Int64? = nil, runAsNonRoot: Bool? = nil,
                supplementalGroups: [Int64] = [], fsGroup: Int64? = nil, sysctls: [Sysctl] = [],
                seccompProfile: SeccompProfile? = nil) {
        self.runAsUser = runAsUser
        self.runAsGroup = runAsGroup
        self.runAsNonRoot = runAsNonRoot
        self.supplementalGroups = supplementalGroups
        self.fsGroup = fsGroup
        self.sysctls = sysctls
        self.seccompProfile = seccompProfile
    }
}

/// One `spec.securityContext.sysctls[]` entry; `name` in dotted form (`net.ipv4.tcp_syncookies`).
public struct Sysctl: Sendable, Equatable {
    public var name: String
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}
