/// The container `securityContext` fields swiftlet honours. Unset fields are nil: the runtime's
/// defaults apply, as under the kubelet.
public struct SecurityContext: Sendable, Equatable {
    public var runAsUser: Int64?
    public var runAsGroup: Int64?
    public var runAsNonRoot: Bool?
    public var readOnlyRootFilesystem: Bool?
    public var allowPrivilegeEscalation: Bool?
    public var privileged: Bool?
    public var capabilities: Capabilities?
    public var seccompProfile: SeccompProfile?

    public init(runAsUser: Int64? = nil, runAsGroup: Int64? = nil, readOnlyRootFilesystem: Bool? = nil,
                allowPrivilegeEscalation: Bool? = nil, privileged: Bool? = nil,
                capabilities: Capabilities? = nil, seccompProfile: SeccompProfile? = nil) {
        self.runAsUser = runAsUser
        self.runAsGroup = runAsGroup
        self.readOnlyRootFilesystem = readOnlyRootFilesystem
        self.allowPrivilegeEscalation = allowPrivilegeEscalation
        self.privileged = privileged
        self.capabilities = capabilities
        self.seccompProfile = seccompProfile
    }
}

public struct Capabilities: Sendable, Equatable {
    public var add: [Capability]
    public var drop: [Capability]

    public init(add: [Capability] = [], drop: [Capability] = []) {
        self.add = add
        self.drop = drop
    }
}

/// A Linux capability, or `ALL`. Written with or without the `CAP_` prefix, in any case, as
/// container runtimes accept it; kept in the canonical form `NET_ADMIN`.
public struct Capability: Sendable, Hashable, CustomStringConvertible {
    /// `NET_ADMIN`, or `ALL`.
    public let name: String

    public static let all = Capability(canonical: "ALL")

    /// Kernel capability names in kernel number order (`CAP_CHOWN` is 0).
    static let linuxNames = [
        "CHOWN", "DAC_OVERRIDE", "DAC_READ_SEARCH", "FOWNER", "FSETID", "KILL", "SETGID", "SETUID",
        "SETPCAP", "LINUX_IMMUTABLE", "NET_BIND_SERVICE", "NET_BROADCAST", "NET_ADMIN", "NET_RAW",
        "IPC_LOCK", "IPC_OWNER", "SYS_MODULE", "SYS_RAWIO", "SYS_CHROOT", "SYS_PTRACE", "SYS_PACCT",
        "SYS_ADMIN", "SYS_BOOT", "SYS_NICE", "SYS_RESOURCE", "SYS_TIME", "SYS_TTY_CONFIG", "MKNOD",
        "LEASE", "AUDIT_WRITE", "AUDIT_CONTROL", "SETFCAP", "MAC_OVERRIDE", "MAC_ADMIN", "SYSLOG",
        "WAKE_ALARM", "BLOCK_SUSPEND", "AUDIT_READ", "PERFMON", "BPF", "CHECKPOINT_RESTORE",
    ]

    private init(canonical: String) {
        name = canonical
    }

    /// Nil when the text names no Linux capability.
    public init?(_ text: String) {
        var canonical = text.uppercased()
        if canonical.hasPrefix("CAP_") { canonical.removeFirst(4) }
        guard canonical == "ALL" || Self.linuxNames.contains(canonical) else { return nil }
        name = canonical
    }

    public var isAll: Bool { name == "ALL" }

    /// The kernel's number for it; nil for `ALL`.
    public var number: Int? { Self.linuxNames.firstIndex(of: name) }

    /// `CAP_NET_ADMIN`; `ALL` stays `ALL`.
    public var description: String { isAll ? name : "CAP_" + name }
}

public enum SeccompProfile: Sendable, Equatable {
    case runtimeDefault
    case unconfined
    /// A profile file, relative to the node's seccomp profile root.
    case localhost(String)
}
