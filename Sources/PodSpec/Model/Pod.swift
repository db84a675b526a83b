/// A `v1` Pod as swiftlet runs it: decoded, defaulted and validated.
public struct Pod: Sendable, Equatable {
    public var metadata: ObjectMeta
    public var spec: PodSpec

    public init(metadata: ObjectMeta, spec: PodSpec) {
        self.metadata = metadata
        self.spec = spec
    }

    public var name: String { metadata.name }
}

/// The part of `ObjectMeta` a pod file may set. The uid is assigned when the pod is created, not here.
public struct ObjectMeta: Sendable, Equatable {
    public var name: String
    /// Defaults to `default`.
    public var namespace: String
    public var labels: [String: String]
    public var annotations: [String: String]

    public init(name: String, namespace: String = "default",
                labels: [String: String] = [:], annotations: [String: String] = [:]) {
        self.name = name
        self.namespace = namespace
        self.labels = labels
        self.annotations = annotations
    }
}

public struct PodSpec: Sendable, Equatable {
    public var containers: [Container]
    /// Run in order before `containers`; those with `restartPolicy: Always` are native sidecars.
    public var initContainers: [Container] = []
    public var volumes: [Volume]
    /// Defaults to `Always`.
    public var restartPolicy: RestartPolicy
    /// Seconds between SIGTERM and SIGKILL when the pod stops; defaults to 30.
    public var terminationGracePeriodSeconds: Int64
    /// Runs in the node's network namespace; every container port is then also a host port.
    public var hostNetwork: Bool
    /// A DNS label; nil means the pod name (cut to 63 characters).
    public var hostname: String?
    /// A DNS label: with it the pod's `/etc/hosts` names it `<hostname>.<subdomain>.<namespace>.svc.<domain>`.
    public var subdomain: String?
    public var hostAliases: [HostAlias]
    /// Defaults to `ClusterFirst`.
    public var dnsPolicy: DNSPolicy
    public var dnsConfig: PodDNSConfig?
    /// `spec.securityContext`; nil when unset.
    public var securityContext: PodSecurityContext? = nil
    /// All containers share one pid namespace, the sandbox's (its pause process is pid 1).
    public var shareProcessNamespace: Bool = false

    public init(containers: [Container], volumes: [Volume] = [],
                restartPolicy: RestartPolicy = .always, terminationGracePeriodSeconds: Int64 = 30,
                hostNetwork: Bool = false, hostname: String? = nil, subdomain: String? = nil,
                hostAliases: [HostAlias] = [], dnsPolicy: DNSPolicy = .clusterFirst, dnsConfig: PodDNSConfig? = nil) {
        self.containers = containers
        self.volumes = volumes
        self.restartPolicy = restartPolicy
        self.terminationGracePeriodSeconds = terminationGracePeriodSeconds
        self.hostNetwork = hostNetwork
        self.hostname = hostname
        self.subdomain = subdomain
        self.hostAliases = hostAliases
        self.dnsPolicy = dnsPolicy
        self.dnsConfig = dnsConfig
    }

    public func container(named name: String) -> Container? {
        containers.first { $0.name == name }
    }
}

public enum RestartPolicy: String, Sendable, Equatable, CaseIterable {
    case always = "Always"
    case onFailure = "OnFailure"
    case never = "Never"
}
