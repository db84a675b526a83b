import Cgroups
import Foundation
import Probes

/// What the supervisor records about a pod in `<root>/pods/<name>/pod.json`, rewritten atomically
/// on every change. Other `swiftlet` commands read it; `delete` uses the pids and cgroups in it
/// to clean up after a supervisor that died.
public struct PodRecord: Codable, Sendable, Equatable {
    public var name: String
    public var namespace: String
    public var uid: String
    public var creationTimestamp: Date
    public var labels: [String: String]
    public var annotations: [String: String]
    /// The pod's YAML document as written (for `-o json`'s spec and for `describe`).
    public var manifest: String
    /// The file it came from, for relative image paths.
    public var sourceFile: String
    public var restartPolicy: String
    public var phase: String
    public var reason: String?
    public var message: String?
    public var startTime: Date?
    public var conditions: [Condition]
    public var containers: [ContainerRecord]
    /// `status.initContainerStatuses`, in spec order; nil for a pod without init containers.
    public var initContainers: [ContainerRecord]?
    /// The supervisor that owns the pod: pid and /proc start time (pids are reused).
    public var supervisorPID: Int32
    public var supervisorStartTime: UInt64
    /// The pause process holding the pod's namespaces.
    public var sandboxPID: Int32?
    public var sandboxStartTime: UInt64?
    /// The pod's network: its IPs, and what undoing the CNI attachment needs. nil until the
    /// sandbox has its network (and in records written before swiftlet had networking).
    public var network: PodNetworkRecord?
    /// Set by `delete` from another terminal; the supervisor then stops the pod.
    public var deletionTimestamp: Date?
    public var deletionGracePeriodSeconds: Int?
    /// What a restarted daemon needs to take the pod over (nil in records of older swiftlets):
    /// each container's image directory as resolved at `run` (relative paths, `--images`), and
    /// the crash-loop back-off settings the pod was started with.
    public var resolvedImages: [String: String]?
    public var backoffInitialNanoseconds: Int64?
    public var backoffMaxNanoseconds: Int64?

    public struct Condition: Codable, Sendable, Equatable {
        public var type: String
        public var status: String
        public var lastTransitionTime: Date
    }
}

/// A pod's network as the supervisor set it up.
public struct PodNetworkRecord: Codable, Sendable, Equatable {
    /// The sandbox's id, CNI_CONTAINERID of its attachment (`<root>/networks/<id>.json`).
    public var sandboxID: String
    /// Where the pod's network namespace is pinned (nil: no CNI attachment, on the host network
    /// or with `--network none`).
    public var netns: String?
    /// `status.podIPs`: the first IPv4 address of eth0 first.
    public var podIPs: [String]
    /// `status.hostIPs`.
    public var hostIPs: [String]
    /// Where the plugins were found: a `delete` after the supervisor died runs DEL with them.
    public var cniBinDirs: [String]
    /// The host ports the pod holds (protocol/port/hostIP), checked against later pods.
    public var hostPorts: [HostPortClaim]

    public init(sandboxID: String, netns: String?, podIPs: [String], hostIPs: [String], cniBinDirs: [String],
                hostPorts: [HostPortClaim]) {
        self.sandboxID = sandboxID
        self.netns = netns
        self.podIPs = podIPs
        self.hostIPs = hostIPs
        self.cniBinDirs = cniBinDirs
        self.hostPorts = hostPorts
    }
}

/// One `ports[].hostPort` of a pod.
public struct HostPortClaim: Codable, Sendable, Equatable, CustomStringConvertible {
    public var port: Int
    public var `protocol`: String   // TCP, UDP, SCTP
    public var hostIP: String       // "" when unset: every address
    public init(port: Int, protocol: String, hostIP: String) {
        self.port = port
        self.protocol = `protocol`
        self.hostIP = hostIP
    }
    /// Two claims clash on the same port and protocol when either takes every address.
    public func clashes(with other: HostPortClaim) -> Bool {
        port == other.port && `protocol` == other.protocol
            && (hostIP == other.hostIP || Self.isAny(hostIP) || Self.isAny(other.hostIP))
    }
    static func isAny(_ ip: String) -> Bool { ip.isEmpty || ip == "0.0.0.0" || ip == "::" }
    public var description: String { (hostIP.isEmpty ? "" : hostIP + ":") + "\(port)/\(`protocol`)" }
}

/// One container of a pod, as `kubectl` shows it in `status.containerStatuses[]`.
public struct ContainerRecord: Codable, Sendable, Equatable {
    public var name: String
    public var image: String
    public var ready: Bool
    public var started: Bool
    public var restartCount: Int
    public var state: ContainerState
    public var lastState: ContainerState?
    /// The running instance: init pid, /proc start time and cgroup, for exec and cleanup.
    public var pid: Int32?
    public var pidStartTime: UInt64?
    public var cgroup: CgroupPaths?
    /// Instance number (0, 1, ...), names its overlay and log file.
    public var instance: Int
    /// The daemon's restart bookkeeping, so the next daemon goes on where this one was: the
    /// back-off (window and last restart), when the last instance exited (CLOCK_MONOTONIC ns),
    /// whether a probe killed it (the restart policy counts that as a failure), and whether the
    /// policy said it will not run again.
    public var backOff: RestartBackOff.Saved?
    public var lastExitNanoseconds: Int64?
    public var probeKilled: Bool?
    public var finished: Bool?
    /// The restart policy and back-off said "start it now" and the instance is not running yet:
    /// the next daemon starts it without deciding (and counting the restart) again.
    public var startPending: Bool?
    /// An init container with `restartPolicy: Always` (a native sidecar): kubectl counts it in
    /// READY and RESTARTS once the pod is initialized.
    public var sidecar: Bool?

    /// The id the instance runs under (cgroup, keeper entry): `<pod>-<container>-<n>-<uid8>`.
    public static func instanceID(pod: String, container: String, instance: Int, uid: String) -> String {
        "\(pod)-\(container)-\(instance)-\(uid.prefix(8))"
    }

    public enum ContainerState: Codable, Sendable, Equatable {
        case waiting(reason: String, message: String?)
        case running(startedAt: Date)
        case terminated(Terminated)
    }

    public struct Terminated: Codable, Sendable, Equatable {
        public var exitCode: Int32
        public var signal: Int32?
        public var reason: String
        public var message: String?
        public var startedAt: Date?
        public var finishedAt: Date
    }
}
