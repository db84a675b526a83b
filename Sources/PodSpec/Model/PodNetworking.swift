/// An extra `/etc/hosts` line the kubelet writes for a pod: `ip` and the names that resolve to it.
public struct HostAlias: Sendable, Equatable {
    public var ip: String
    public var hostnames: [String]

    public init(ip: String, hostnames: [String] = []) {
        self.ip = ip
        self.hostnames = hostnames
    }
}

/// Where a pod's `/etc/resolv.conf` comes from (`spec.dnsPolicy`).
public enum DNSPolicy: String, Sendable, Equatable, CaseIterable {
    /// Cluster DNS; falls back to `Default` for a hostNetwork pod or when no cluster DNS is configured.
    case clusterFirst = "ClusterFirst"
    /// Cluster DNS even for a hostNetwork pod.
    case clusterFirstWithHostNet = "ClusterFirstWithHostNet"
    /// The node's resolver settings.
    case `default` = "Default"
    /// Nothing but `spec.dnsConfig`.
    case none = "None"
}

/// `spec.dnsConfig`: appended to what the policy gives (or all there is, with `None`).
public struct PodDNSConfig: Sendable, Equatable {
    public var nameservers: [String]
    public var searches: [String]
    public var options: [PodDNSConfigOption]

    public init(nameservers: [String] = [], searches: [String] = [], options: [PodDNSConfigOption] = []) {
        self.nameservers = nameservers
        self.searches = searches
        self.options = options
    }
}

/// One resolver option: `ndots` with value `2` is written `ndots:2`; `rotate` has no value.
public struct PodDNSConfigOption: Sendable, Equatable {
    public var name: String
    public var value: String?

    public init(name: String, value: String? = nil) {
        self.name = name
        self.value = value
    }
}
