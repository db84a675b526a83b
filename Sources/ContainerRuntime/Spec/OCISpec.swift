// The subset of the OCI runtime spec (config.json) that swiftlet supports, as plain values.
// Decoding and validation live in SpecDecoder.swift; defaults in DefaultSpec.swift.
// Field names follow the spec so that error messages can name the JSON path.

public struct OCISpec: Sendable, Equatable {
    public var ociVersion: String
    public var process: Process?
    public var root: Root?
    public var hostname: String?
    public var domainname: String?
    public var mounts: [Mount]
    public var linux: Linux?
    public var annotations: [String: String]
    /// Programs the runtime runs at points of the container's lifecycle (HookRunner runs them).
    public var hooks: Hooks

    public init(ociVersion: String = "1.0.2", process: Process? = nil, root: Root? = nil,
                hostname: String? = nil, domainname: String? = nil, mounts: [Mount] = [],
                linux: Linux? = nil, annotations: [String: String] = [:], hooks: Hooks = Hooks()) {
        self.ociVersion = ociVersion
        self.process = process
        self.root = root
        self.hostname = hostname
        self.domainname = domainname
        self.mounts = mounts
        self.linux = linux
        self.annotations = annotations
        self.hooks = hooks
    }

    /// One hook: a program run with the container's state JSON on its stdin.
    public struct Hook: Sendable, Hashable {
        /// Absolute path of the executable (execv's path: no PATH search).
        public var path: String
        /// argv, argv[0] included; empty means [path].
        public var args: [String]
        /// The hook's whole environment (nothing is inherited from the runtime).
        public var env: [String]
        /// Seconds before the hook is killed; nil waits for as long as it runs. Always > 0.
        public var timeout: Int?
        public init(path: String, args: [String] = [], env: [String] = [], timeout: Int? = nil) {
            self.path = path
            self.args = args
            self.env = env
            self.timeout = timeout
        }
    }

    /// The hooks of each lifecycle phase, in the order they run within a phase. Where each phase
    /// runs (runtime or container namespaces) and what a failure means is the caller's business;
    /// see HookRunner.
    public struct Hooks: Sendable, Hashable {
        /// Deprecated by the spec in favour of createRuntime/createContainer/startContainer, but
        /// still written by tools (e.g. older Docker network plugins), so still run.
        public var prestart: [Hook]
        public var createRuntime: [Hook]
        public var createContainer: [Hook]
        public var startContainer: [Hook]
        public var poststart: [Hook]
        public var poststop: [Hook]
        public init(prestart: [Hook] = [], createRuntime: [Hook] = [], createContainer: [Hook] = [],
                    startContainer: [Hook] = [], poststart: [Hook] = [], poststop: [Hook] = []) {
            self.prestart = prestart
            self.createRuntime = createRuntime
            self.createContainer = createContainer
            self.startContainer = startContainer
            self.poststart = poststart
            self.poststop = poststop
        }

        /// The phases as config.json names them, in lifecycle order, with their hooks.
        public var phases: [(name: String, hooks: [Hook])] {
            [("prestart", prestart), ("createRuntime", createRuntime), ("createContainer", createContainer),
             ("startContainer", startContainer), ("poststart", poststart), ("poststop", poststop)]
        }

        public var isEmpty: Bool { phases.allSatisfy { $0.hooks.isEmpty } }
    }

    public struct Root: Sendable, Equatable {
        public var path: String
        public var readonly: Bool
        public init(path: String, readonly: Bool = false) {
            self.path = path
            self.readonly = readonly
        }
    }

    public struct Process: Sendable, Equatable {
        public var terminal: Bool
        public var user: User
        public var args: [String]
        public var env: [String]
        public var cwd: String
        public var capabilities: Capabilities?
        public var rlimits: [Rlimit]
        public var noNewPrivileges: Bool
        public var oomScoreAdj: Int?
        public var consoleSize: ConsoleSize?

        public init(terminal: Bool = false, user: User = User(), args: [String], env: [String] = [],
                    cwd: String = "/", capabilities: Capabilities? = nil, rlimits: [Rlimit] = [],
                    noNewPrivileges: Bool = false, oomScoreAdj: Int? = nil, consoleSize: ConsoleSize? = nil) {
            self.terminal = terminal
            self.user = user
            self.args = args
            self.env = env
            self.cwd = cwd
            self.capabilities = capabilities
            self.rlimits = rlimits
            self.noNewPrivileges = noNewPrivileges
            self.oomScoreAdj = oomScoreAdj
            self.consoleSize = consoleSize
        }
    }

    public struct ConsoleSize: Sendable, Equatable {
        public var height: UInt32
        public var width: UInt32
    }

    public struct User: Sendable, Equatable {
        public var uid: UInt32
        public var gid: UInt32
        public var umask: UInt32?
        public var additionalGids: [UInt32]
        public init(uid: UInt32 = 0, gid: UInt32 = 0, umask: UInt32? = nil, additionalGids: [UInt32] = []) {
            self.uid = uid
            self.gid = gid
            self.umask = umask
            self.additionalGids = additionalGids
        }
    }

    /// Capability names as written in config.json ("CAP_CHOWN").
    public struct Capabilities: Sendable, Equatable {
        public var bounding: [String]
        public var effective: [String]
        public var inheritable: [String]
        public var permitted: [String]
        public var ambient: [String]
        public init(bounding: [String] = [], effective: [String] = [], inheritable: [String] = [],
                    permitted: [String] = [], ambient: [String] = []) {
            self.bounding = bounding
            self.effective = effective
            self.inheritable = inheritable
            self.permitted = permitted
            self.ambient = ambient
        }
    }

    public struct Rlimit: Sendable, Equatable {
        public var type: String   // "RLIMIT_NOFILE"
        public var soft: UInt64
        public var hard: UInt64
        public init(type: String, soft: UInt64, hard: UInt64) {
            self.type = type
            self.soft = soft
            self.hard = hard
        }
    }

    public struct Mount: Sendable, Equatable {
        public var destination: String
        public var type: String?
        public var source: String?
        public var options: [String]
        public init(destination: String, type: String? = nil, source: String? = nil, options: [String] = []) {
            self.destination = destination
            self.type = type
            self.source = source
            self.options = options
        }
    }

    public struct Linux: Sendable, Equatable {
        public var namespaces: [Namespace]
        public var resources: Resources?
        public var cgroupsPath: String?
        public var devices: [Device]
        public var seccomp: Seccomp?
        public var maskedPaths: [String]
        public var readonlyPaths: [String]
        public var rootfsPropagation: String?
        public var sysctl: [String: String]

        public init(namespaces: [Namespace] = [], resources: Resources? = nil, cgroupsPath: String? = nil,
                    devices: [Device] = [], seccomp: Seccomp? = nil, maskedPaths: [String] = [],
                    readonlyPaths: [String] = [], rootfsPropagation: String? = nil, sysctl: [String: String] = [:]) {
            self.namespaces = namespaces
            self.resources = resources
            self.cgroupsPath = cgroupsPath
            self.devices = devices
            self.seccomp = seccomp
            self.maskedPaths = maskedPaths
            self.readonlyPaths = readonlyPaths
            self.rootfsPropagation = rootfsPropagation
            self.sysctl = sysctl
        }
    }

    public struct Namespace: Sendable, Equatable {
        public var type: String   // pid, network, mount, ipc, uts, user, cgroup, time
        public var path: String?
        public init(type: String, path: String? = nil) {
            self.type = type
            self.path = path
        }
    }

    public struct Device: Sendable, Equatable {
        public var type: String   // c, b, u, p
        public var path: String
        public var major: Int64
        public var minor: Int64
        public var fileMode: UInt32?
        public var uid: UInt32?
        public var gid: UInt32?
        public init(type: String, path: String, major: Int64, minor: Int64, fileMode: UInt32? = nil,
                    uid: UInt32? = nil, gid: UInt32? = nil) {
            self.type = type
            self.path = path
            self.major = major
            self.minor = minor
            self.fileMode = fileMode
            self.uid = uid
            self.gid = gid
        }
    }

    public struct Resources: Sendable, Equatable {
        public var devices: [DeviceCgroupRule]
        public var memory: Memory?
        public var cpu: CPU?
        public var pids: Pids?
        /// linux.resources.unified (raw cgroup v2 files) as set by in-process callers (the pod
        /// supervisor's memory.oom.group); config.json's own `unified` is still refused.
        public var unified: [String: String] = [:]
        public init(devices: [DeviceCgroupRule] = [], memory: Memory? = nil, cpu: CPU? = nil, pids: Pids? = nil) {
            self.devices = devices
            self.memory = memory
            self.cpu = cpu
            self.pids = pids
        }
    }

    public struct DeviceCgroupRule: Sendable, Equatable {
        public var allow: Bool
        public var type: String?     // a, c, b (nil = a)
        public var major: Int64?     // nil = any
        public var minor: Int64?
        public var access: String?   // subset of "rwm" (nil = rwm)
        public init(allow: Bool, type: String? = nil, major: Int64? = nil, minor: Int64? = nil, access: String? = nil) {
            self.allow = allow
            self.type = type
            self.major = major
            self.minor = minor
            self.access = access
        }
    }

    public struct Memory: Sendable, Equatable {
        public var limit: Int64?        // bytes; -1 = unlimited
        public var reservation: Int64?
        public var swap: Int64?         // memory+swap, as in the spec (v2: swap.max = swap - limit)
        public init(limit: Int64? = nil, reservation: Int64? = nil, swap: Int64? = nil) {
            self.limit = limit
            self.reservation = reservation
            self.swap = swap
        }
    }

    public struct CPU: Sendable, Equatable {
        public var shares: UInt64?
        public var quota: Int64?
        public var period: UInt64?
        public var cpus: String?
        public var mems: String?
        public init(shares: UInt64? = nil, quota: Int64? = nil, period: UInt64? = nil, cpus: String? = nil, mems: String? = nil) {
            self.shares = shares
            self.quota = quota
            self.period = period
            self.cpus = cpus
            self.mems = mems
        }
    }

    public struct Pids: Sendable, Equatable {
        public var limit: Int64   // <= 0 = unlimited
        public init(limit: Int64) { self.limit = limit }
    }

    public struct Seccomp: Sendable, Hashable {
        public var defaultAction: String            // "SCMP_ACT_ERRNO"
        public var defaultErrnoRet: UInt32?
        public var architectures: [String]          // "SCMP_ARCH_X86_64"
        public var flags: [String]                  // "SECCOMP_FILTER_FLAG_SPEC_ALLOW"
        public var syscalls: [SyscallRule]
        public init(defaultAction: String, defaultErrnoRet: UInt32? = nil, architectures: [String] = [],
                    flags: [String] = [], syscalls: [SyscallRule] = []) {
            self.defaultAction = defaultAction
            self.defaultErrnoRet = defaultErrnoRet
            self.architectures = architectures
            self.flags = flags
            self.syscalls = syscalls
        }
    }

    public struct SyscallRule: Sendable, Hashable {
        public var names: [String]
        public var action: String
        public var errnoRet: UInt32?
        public var args: [SyscallArg]
        public init(names: [String], action: String, errnoRet: UInt32? = nil, args: [SyscallArg] = []) {
            self.names = names
            self.action = action
            self.errnoRet = errnoRet
            self.args = args
        }
    }

    public struct SyscallArg: Sendable, Hashable {
        public var index: UInt32
        public var value: UInt64
        public var valueTwo: UInt64
        public var op: String   // "SCMP_CMP_EQ"
        public init(index: UInt32, value: UInt64, valueTwo: UInt64 = 0, op: String) {
            self.index = index
            self.value = value
            self.valueTwo = valueTwo
            self.op = op
        }
    }
}
