import Cgroups
import Foundation

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
    /// The supervisor that owns the pod: pid and /proc start time (pids are reused).
    public var supervisorPID: Int32
    public var supervisorStartTime: UInt64
    /// The pause process holding the pod's namespaces.
    public var sandboxPID: Int32?
    public var sandboxStartTime: UInt64?
    /// Set by `delete` from another terminal; the supervisor then stops the pod.
    public var deletionTimestamp: Date?
    public var deletionGracePeriodSeconds: Int?

    public struct Condition: Codable, Sendable, Equatable {
        public var type: String
        public var status: String
        public var lastTransitionTime: Date
    }
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
