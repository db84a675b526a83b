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
    public var volumes: [Volume]
    /// Defaults to `Always`.
    public var restartPolicy: RestartPolicy
    /// Seconds between SIGTERM and SIGKILL when the pod stops; defaults to 30.
    public var terminationGracePeriodSeconds: Int64

    public init(containers: [Container], volumes: [Volume] = [],
                restartPolicy: RestartPolicy = .always, terminationGracePeriodSeconds: Int64 = 30) {
        self.containers = containers
        self.volumes = volumes
        self.restartPolicy = restartPolicy
        self.terminationGracePeriodSeconds = terminationGracePeriodSeconds
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
