public struct Container: Sendable, Equatable {
    public var name: String
    public var image: Image
    /// Replaces the image's entrypoint when not empty.
    public var command: [String]
    /// Replaces the image's arguments when not empty.
    public var args: [String]
    public var env: [EnvVar]
    /// Absolute; nil keeps the image's working directory.
    public var workingDir: String?
    public var ports: [ContainerPort]
    public var resources: ResourceRequirements
    /// Nil when the pod file sets none: the runtime's defaults apply.
    public var securityContext: SecurityContext?
    public var volumeMounts: [VolumeMount]
    public var livenessProbe: Probe?
    public var readinessProbe: Probe?
    public var startupProbe: Probe?
    /// Init containers only: `Always` makes a native sidecar (see InitContainers.swift).
    public var restartPolicy: ContainerRestartPolicy? = nil
    /// Variables from whole ConfigMaps and Secrets; `env` wins over them.
    public var envFrom: [EnvFromSource] = []

    public init(name: String, image: Image, command: [String] = [], args: [String] = [],
                env: [EnvVar] = [], workingDir: String? = nil, ports: [ContainerPort] = [],
                resources: ResourceRequirements = ResourceRequirements(),
                securityContext: SecurityContext? = nil, volumeMounts: [VolumeMount] = [],
                livenessProbe: Probe? = nil, readinessProbe: Probe? = nil, startupProbe: Probe? = nil) {
        self.name = name
        self.image = image
        self.command = command
        self.args = args
        self.env = env
        self.workingDir = workingDir
        self.ports = ports
        self.resources = resources
        self.securityContext = securityContext
        self.volumeMounts = volumeMounts
        self.livenessProbe = livenessProbe
        self.readinessProbe = readinessProbe
        self.startupProbe = startupProbe
    }

    public func probe(_ kind: ProbeKind) -> Probe? {
        switch kind {
        case .liveness: livenessProbe
        case .readiness: readinessProbe
        case .startup: startupProbe
        }
    }

    /// The number behind a port reference: itself, or the `containerPort` of the port with that name.
    public func resolvePort(_ port: PortReference) -> Int? {
        switch port {
        case .number(let number): number
        case .name(let name): ports.first { $0.name == name }?.containerPort
        }
    }

    /// The TCP port a probe connects to, named ports resolved; nil for `exec`.
    /// Validation guarantees a result for the other handlers.
    public func probePort(_ probe: Probe) -> Int? {
        switch probe.handler {
        case .exec: nil
        case .httpGet(let action): resolvePort(action.port)
        case .tcpSocket(let action): resolvePort(action.port)
        case .grpc(let action): action.port
        }
    }
}

/// The `image` field: a path to an unpacked rootfs or an OCI bundle, relative to the pod file.
public struct Image: Sendable, Equatable {
    /// As written in the pod file.
    public var written: String
    /// `written` resolved against the directory of the pod file and cleaned lexically.
    public var resolved: String

    public init(written: String, resolved: String) {
        self.written = written
        self.resolved = resolved
    }
}

public struct EnvVar: Sendable, Equatable {
    public var name: String
    public var value: String
    /// Where the value comes from when `value` is empty (resolved when the container starts).
    public var valueFrom: EnvVarSource?

    public init(name: String, value: String = "", valueFrom: EnvVarSource? = nil) {
        self.name = name
        self.value = value
        self.valueFrom = valueFrom
    }
}

public struct ContainerPort: Sendable, Equatable {
    /// An IANA service name that probes may use instead of the number.
    public var name: String?
    public var containerPort: Int
    /// Defaults to TCP.
    public var `protocol`: PortProtocol
    /// The node port forwarded to `containerPort`; nil for none. A hostNetwork pod's ports
    /// default to their `containerPort`, as the API server defaults them.
    public var hostPort: Int?
    /// The node address `hostPort` is bound to; nil for every address.
    public var hostIP: String?

    public init(name: String? = nil, containerPort: Int, protocol: PortProtocol = .tcp,
                hostPort: Int? = nil, hostIP: String? = nil) {
        self.name = name
        self.containerPort = containerPort
        self.protocol = `protocol`
        self.hostPort = hostPort
        self.hostIP = hostIP
    }
}

public enum PortProtocol: String, Sendable, Equatable, CaseIterable {
    case tcp = "TCP"
    case udp = "UDP"
    case sctp = "SCTP"
}

public struct ResourceRequirements: Sendable, Equatable {
    public var limits: ResourceList
    /// A request left out defaults to its limit, as in Kubernetes.
    public var requests: ResourceList

    public init(limits: ResourceList = ResourceList(), requests: ResourceList = ResourceList()) {
        self.limits = limits
        self.requests = requests
    }
}

public struct ResourceList: Sendable, Equatable {
    public var cpu: Quantity?
    public var memory: Quantity?

    public init(cpu: Quantity? = nil, memory: Quantity? = nil) {
        self.cpu = cpu
        self.memory = memory
    }

    /// CPU in thousandths of a core, rounded up as Kubernetes' `MilliValue`.
    public var cpuMillicores: Int64? { cpu?.milliValue }
    /// Memory in bytes, rounded up as Kubernetes' `Value`.
    public var memoryBytes: Int64? { memory?.value }
}

public struct VolumeMount: Sendable, Equatable {
    /// Names one of `spec.volumes`.
    public var name: String
    /// Absolute path inside the container.
    public var mountPath: String
    public var readOnly: Bool
    /// A path inside the volume to mount instead of its root (relative, without `..`).
    public var subPath: String = ""
    /// Like `subPath`, with `$(VAR)` expanded from the container's environment when it starts.
    public var subPathExpr: String = ""

    public init(name: String, mountPath: String, readOnly: Bool = false, subPath: String = "", subPathExpr: String = "") {
        self.name = name
        self.mountPath = mountPath
        self.readOnly = readOnly
        self.subPath = subPath
        self.subPathExpr = subPathExpr
    }
}
