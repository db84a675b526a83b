import ContainerRuntime
import Foundation
import Glibc

/// The state root (`/run/swiftlet` by default): root-only, one directory per pod.
///
///     <root>/pods/<name>/pod.json          PodRecord (atomically replaced)
///     <root>/pods/<name>/events.json       the pod's events, folded
///     <root>/pods/<name>/logs/<c>/<n>.log  CRI logs of instance n of container c
///     <root>/pods/<name>/layers/<c>/<n>/   overlay upper and work dirs of instance n
///     <root>/pods/<name>/volumes/<v>/      volumes (live as long as the pod; tmpfs for Memory, secret, projected)
///     <root>/pods/<name>/volume-subpaths/<v>/<c>/<i>  subPath bind mounts, mounted by container c
///     <root>/pods/<name>/containers/<c>.json  the OCI config of container c
///     <root>/pods/<name>/etc-hosts, resolv.conf, hostname   bind-mounted into its containers
///     <root>/netns/<sandbox>               a pod's network namespace, pinned by a bind mount
///     <root>/networks/<sandbox>.json       a sandbox's CNI attachment: config, args, result (for DEL)
///     <root>/cni/ipam/                     host-local's leases for swiftlet's default network
public struct PodStore: Sendable {
    public let root: String

    public init(root: String) { self.root = root }

    public static var defaultRoot: String { ProcessInfo.processInfo.environment["SWIFTLET_ROOT"] ?? "/run/swiftlet" }

    public var podsDir: String { root + "/pods" }
    public func podDir(_ name: String) -> String { podsDir + "/" + name }
    public func logDir(_ pod: String, _ container: String) -> String { podDir(pod) + "/logs/" + container }
    public func logPath(_ pod: String, _ container: String, instance: Int) -> String { logDir(pod, container) + "/\(instance).log" }
    public func layerDir(_ pod: String, _ container: String, instance: Int) -> String { podDir(pod) + "/layers/\(container)/\(instance)" }
    public func volumeDir(_ pod: String, _ volume: String) -> String { podDir(pod) + "/volumes/" + volume }
    /// The OCI config a container's instances run with (exec uses its process settings).
    public func containerSpecPath(_ pod: String, _ container: String) -> String { podDir(pod) + "/containers/\(container).json" }

    private static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.dateEncodingStrategy = .iso8601
        e.outputFormatting = [.sortedKeys]
        return e
    }()
    private static let decoder: JSONDecoder = {
        let d = JSONDecoder()
        d.dateDecodingStrategy = .iso8601
        return d
    }()

    /// Creates the root (0700) and claims `name`: fails when a pod of that name exists.
    public func create(_ name: String) throws {
        for dir in [root, podsDir] where mkdir(dir, 0o700) != 0 && errno != EEXIST {
            throw SupervisorError("cannot create \(dir): \(Errno.current)")
        }
        if mkdir(podDir(name), 0o700) != 0 {
            if errno == EEXIST { throw SupervisorError("Error from server (AlreadyExists): pods \"\(name)\" already exists") }
            throw SupervisorError("cannot create \(podDir(name)): \(Errno.current)")
        }
    }

    /// The kubelet's per-pod files, bind-mounted at /etc/hosts, /etc/resolv.conf and /etc/hostname.
    public func etcFile(_ pod: String, _ name: String) -> String { podDir(pod) + "/" + name }
    public var netnsDir: String { root + "/netns" }
    public func netnsPath(sandbox: String) -> String { netnsDir + "/" + sandbox }
    public var attachmentsDir: String { root + "/networks" }
    public var ipamDir: String { root + "/cni/ipam" }

    public func recordPath(_ name: String) -> String { podDir(name) + "/pod.json" }
    public func eventsPath(_ name: String) -> String { podDir(name) + "/events.json" }

    /// The supervisor writes records and events through its disk thread (`DiskQueue`) with these.
    static func encode(_ record: PodRecord) throws -> Data { try encoder.encode(record) }
    static func encode(_ events: [StoredEvent]) throws -> Data { try encoder.encode(events) }

    public func load(_ name: String) throws -> PodRecord {
        guard let data = FileManager.default.contents(atPath: recordPath(name)) else {
            throw SupervisorError("Error from server (NotFound): pods \"\(name)\" not found")
        }
        return try Self.decoder.decode(PodRecord.self, from: data)
    }

    public func names() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: podsDir)) ?? []).sorted()
    }

    public func loadAll() -> [PodRecord] { names().compactMap { try? load($0) } }

    public func loadEvents(pod: String) -> [StoredEvent] {
        guard let data = FileManager.default.contents(atPath: eventsPath(pod)) else { return [] }
        return (try? Self.decoder.decode([StoredEvent].self, from: data)) ?? []
    }

    /// The pod's directory, with its volumes' tmpfs and subPath mounts unmounted first.
    public func remove(_ name: String) {
        MountTable.unmountAll(under: podDir(name))
        try? FileManager.default.removeItem(atPath: podDir(name))
    }

    /// Writes a temporary file (0600), then renames it over `path`: readers see the old or the
    /// new file, never half. No fsync: the state lives on tmpfs (/run) and does not outlive a
    /// reboot, and on a disk an fsync under load can take seconds.
    static func writeAtomically(_ data: Data, to path: String, mode: mode_t = 0o600) throws {
        let tmp = path + ".tmp"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        guard fd >= 0 else { throw SupervisorError("cannot write \(path): \(Errno.current)") }
        let written = data.withUnsafeBytes { bytes -> Bool in
            var offset = 0
            while offset < bytes.count {
                let n = Glibc.write(fd, bytes.baseAddress.map { $0 + offset }, bytes.count - offset)
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { return false }
                offset += n
            }
            return true
        }
        let error = Errno.current
        close(fd)
        guard written, rename(tmp, path) == 0 else {
            unlink(tmp)
            throw SupervisorError("cannot write \(path): \(written ? Errno.current : error)")
        }
    }
}

/// An event as stored on disk and printed by `get events` / `describe`.
public struct StoredEvent: Codable, Sendable, Equatable {
    public var type: String
    public var reason: String
    public var message: String
    public var object: String          // "pod/kubia-liveness" or "spec.containers{kubia}"
    public var source: String
    public var firstTimestamp: Date
    public var lastTimestamp: Date
    public var count: Int
}

public struct SupervisorError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
