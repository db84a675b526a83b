import PodSpec

/// The `/etc/resolv.conf` a pod's containers get: the kubelet's `GetPodDNS`
/// (k8s `pkg/kubelet/network/dns/dns.go`) written out as containerd writes it.
public enum ResolvConf {
    public struct Result: Sendable, Equatable {
        /// The file, ready to write.
        public var content: String
        /// The warnings the kubelet records on the pod while forming it.
        public var events: [Event]

        public init(content: String, events: [Event]) {
            self.content = content
            self.events = events
        }
    }

    /// A Warning event the kubelet records on the pod: its reason and message.
    public struct Event: Sendable, Equatable {
        public static let missingClusterDNS = "MissingClusterDNS"
        public static let dnsConfigForming = "DNSConfigForming"
        public var reason: String
        public var message: String

        public init(reason: String, message: String) {
            self.reason = reason
            self.message = message
        }

        static func dnsConfigForming(_ message: String) -> Event { Event(reason: dnsConfigForming, message: message) }
    }

    /// - Parameters:
    ///   - hostResolvConf: the node's file (the kubelet's `--resolv-conf`), the base for `Default`.
    ///   - clusterDNS: the kubelet's `--cluster-dns`; empty makes `ClusterFirst` fall back to `Default`.
    ///   - podRef: how events name the pod, as the kubelet's `format.Pod`: `name_namespace(uid)`.
    public static func make(policy: DNSPolicy, hostNetwork: Bool, hostResolvConf: String, dnsConfig: PodDNSConfig?,
                            clusterDNS: [String] = [], clusterDomain: String = "cluster.local",
                            namespace: String, podRef: String) -> Result {
        var settings = ResolverSettings(parsing: hostResolvConf)
        var events: [Event] = []
        switch policy {
        case .none:
            settings = ResolverSettings()
        case .default:
            break
        case .clusterFirst where hostNetwork:
            // A hostNetwork pod reaches the node's resolver; ClusterFirstWithHostNet opts into cluster DNS.
            break
        case .clusterFirst, .clusterFirstWithHostNet:
            if clusterDNS.isEmpty {
                events.append(Event(reason: Event.missingClusterDNS, message: "pod: \"\(podRef)\". kubelet does not have ClusterDNS IP "
                                    + "configured and cannot create Pod using \"ClusterFirst\" policy. Falling back to \"Default\" policy."))
            } else {
                // Cluster DNS forwards what it cannot answer, so it is the only nameserver.
                settings.nameservers = clusterDNS
                settings.searches = clusterSearches(host: settings.searches, namespace: namespace, clusterDomain: clusterDomain)
                settings.options = ["ndots:5"]
            }
        }
        if let dnsConfig {
            settings.nameservers = withoutDuplicates(settings.nameservers + dnsConfig.nameservers)
            settings.searches = withoutDuplicates(settings.searches + dnsConfig.searches)
            settings.options = merged(settings.options, dnsConfig.options)
        }
        ResolverLimits.fit(&settings, events: &events)
        return Result(content: settings.fileContent, events: events)
    }

    /// `generateSearchesForDNSClusterFirst`: the namespace's services first, then the node's domains.
    private static func clusterSearches(host: [String], namespace: String, clusterDomain: String) -> [String] {
        guard !clusterDomain.isEmpty else { return host }
        return withoutDuplicates(["\(namespace).svc.\(clusterDomain)", "svc.\(clusterDomain)", clusterDomain] + host)
    }

    /// `omitDuplicates`: first occurrence kept.
    private static func withoutDuplicates(_ values: [String]) -> [String] {
        var seen: Set<String> = []
        return values.filter { seen.insert($0).inserted }
    }

    /// `mergeDNSOptions`: one option per name, the pod's value winning. The kubelet orders the
    /// result by Go map iteration, that is randomly; here the first appearance of a name keeps its place.
    private static func merged(_ existing: [String], _ pod: [PodDNSConfigOption]) -> [String] {
        var names: [String] = []
        var values: [String: String] = [:]
        func set(_ name: String, _ value: String) {
            if values.updateValue(value, forKey: name) == nil { names.append(name) }
        }
        for option in existing {
            if let colon = option.firstIndex(of: ":") {
                set(String(option[..<colon]), String(option[option.index(after: colon)...]))
            } else {
                set(option, "")
            }
        }
        for option in pod { set(option.name, option.value ?? "") }
        return names.map { name in
            let value = values[name] ?? ""
            return value.isEmpty ? name : name + ":" + value
        }
    }
}
