#if canImport(Glibc)
import Glibc
#endif
import Cgroups

/// What `swiftlet-runtime` records about a container so that other invocations (state, list,
/// exec, kill, delete) can find it: `<root>/<id>/state.json`, plus the config it started with.
public struct ContainerState: Sendable, Equatable {
    public var id: String
    public var pid: Int32
    public var startTime: UInt64
    public var bundle: String
    public var rootfs: String
    /// RFC 3339, UTC.
    public var created: String
    /// The runtime process that supervises the container (`run` in the foreground).
    public var ownerPID: Int32
    public var cgroup: CgroupPaths
    public var annotations: [String: String]

    public init(id: String, pid: Int32, startTime: UInt64, bundle: String, rootfs: String, created: String,
                ownerPID: Int32, cgroup: CgroupPaths, annotations: [String: String]) {
        self.id = id
        self.pid = pid
        self.startTime = startTime
        self.bundle = bundle
        self.rootfs = rootfs
        self.created = created
        self.ownerPID = ownerPID
        self.cgroup = cgroup
        self.annotations = annotations
    }

    /// A container just started from `spec` in `bundle` by this process, created now.
    public init(id: String, pid: Int32, startTime: UInt64, cgroup: CgroupPaths, bundle: String, spec: OCISpec) {
        self.init(id: id, pid: pid, startTime: startTime, bundle: bundle,
                  rootfs: Files.absolute(spec.root?.path ?? "rootfs", base: bundle), created: Timestamp.now(),
                  ownerPID: getpid(), cgroup: cgroup, annotations: spec.annotations)
    }

    /// True while the recorded init (same pid and start time) lives and is not a zombie, which
    /// would only be waiting for its parent (conmon, containerd's shim) to reap it.
    public var initAlive: Bool {
        ProcStat.startTime(pid: pid) == startTime && ProcStat.isRunning(pid: pid)
    }

    public var location: ContainerLocation { ContainerLocation(pid: pid, startTime: startTime, cgroup: cgroup) }

    /// The OCI state document (`runc state` shape) plus our own fields; pid 0 once stopped.
    public func json(status: ContainerStatus) -> JSONValue {
        var v1 = JSONObject()
        for (k, path) in cgroup.v1.sorted(by: { $0.key < $1.key }) { v1[k] = .string(path) }
        var cg: JSONObject = ["v1": .object(v1)]
        if let v2 = cgroup.v2 { cg["v2"] = .string(v2) }
        var ann = JSONObject()
        for (k, value) in annotations.sorted(by: { $0.key < $1.key }) { ann[k] = .string(value) }
        return .object([
            "ociVersion": "1.0.2", "id": .string(id), "status": .string(status.rawValue),
            "pid": .integer(status == .stopped ? 0 : pid),
            "bundle": .string(bundle), "rootfs": .string(rootfs), "created": .string(created),
            "owner": "", "ownerPID": .integer(ownerPID), "startTime": .integer(startTime), "cgroup": .object(cg),
            "annotations": .object(ann),
        ])
    }

    init(json v: JSONValue) throws(RuntimeError) {
        func str(_ k: String) throws(RuntimeError) -> String {
            guard let s = v[k]?.stringValue else { throw .state("state.json: \(k) is missing") }
            return s
        }
        func int<T: FixedWidthInteger>(_ k: String) throws(RuntimeError) -> T {
            guard let n = v[k]?.numberValue?.integer(as: T.self) else { throw .state("state.json: \(k) is missing") }
            return n
        }
        var v1: [String: String] = [:]
        for m in v["cgroup"]?["v1"]?.objectValue?.members ?? [] { v1[m.key] = m.value.stringValue }
        var ann: [String: String] = [:]
        for m in v["annotations"]?.objectValue?.members ?? [] { ann[m.key] = m.value.stringValue }
        // The file keeps the real pid; `status` is decided when read, never stored.
        self.init(id: try str("id"), pid: try int("pid"), startTime: try int("startTime"), bundle: try str("bundle"),
                  rootfs: try str("rootfs"), created: try str("created"), ownerPID: try int("ownerPID"),
                  cgroup: CgroupPaths(v2: v["cgroup"]?["v2"]?.stringValue, v1: v1), annotations: ann)
    }
}

/// The state directory: root-only (0700), one subdirectory per container.
public struct StateStore: Sendable {
    public let root: String
    public init(root: String) { self.root = root }

    func dir(_ id: String) -> String { root + "/" + id }

    /// Compiled seccomp programs (SeccompCache), kept beside the containers: a name starting
    /// with "." is never a container id.
    public var seccompCacheDirectory: String { root + "/.seccomp" }

    /// runc's exec fifo: exists from `create` until `start` releases the init.
    public func execFifo(_ id: String) -> String { dir(id) + "/exec.fifo" }

    /// runc's order: stopped when the init is gone, created while the exec fifo exists, paused
    /// while the cgroup is frozen, else running.
    public func status(of s: ContainerState) -> ContainerStatus {
        if !s.initAlive { return .stopped }
        if access(execFifo(s.id), F_OK) == 0 { return .created }
        if Cgroup(paths: s.cgroup).isFrozen() { return .paused }
        return .running
    }

    /// Claims the id: creates `<root>/<id>` or fails if a container of that name exists.
    public func reserve(_ id: String) throws(RuntimeError) {
        try ContainerID.validate(id)
        // Like runc's MkdirAll: containerd names a root per namespace under a directory of its own.
        var path = ""
        for part in root.split(separator: "/") {
            path += "/" + part
            if mkdir(path, 0o700) != 0 && errno != EEXIST {
                throw .system(step: "creating the state directory \(path)", errno: .current)
            }
        }
        if mkdir(dir(id), 0o700) != 0 {
            if errno == EEXIST { throw .alreadyExists(id: id) }
            throw .system(step: "creating \(dir(id))", errno: .current)
        }
    }

    public func save(_ s: ContainerState, config: OCISpec) throws(RuntimeError) {
        do {
            try JSONFile.write(SpecEncoder.encode(config).serialized(), to: dir(s.id) + "/config.json", mode: 0o600)
            // Kept apart so that `start` and `delete`, which need only these, do not decode the
            // whole config (a third of their time): absent when there are none.
            if !config.hooks.isEmpty {
                let hooks: JSONValue = .object(["hooks": SpecEncoder.hooks(config.hooks)])
                try JSONFile.write(hooks.serialized(), to: dir(s.id) + "/hooks.json", mode: 0o600)
            }
            try JSONFile.write(s.json(status: .created).serialized(), to: dir(s.id) + "/state.json", mode: 0o600)
        } catch { throw .state("\(error)") }
    }

    public func load(_ id: String) throws(RuntimeError) -> ContainerState {
        try ContainerID.validate(id)
        let bytes: [UInt8]
        do { bytes = try JSONFile.read(dir(id) + "/state.json") } catch {
            if Files.isDirectory(dir(id)) { throw .state("container \"\(id)\" is still being created") }
            throw .notFound(id: id)
        }
        do { return try ContainerState(json: JSONValue.parse(bytes)) } catch { throw .state("\(dir(id))/state.json: \(error)") }
    }

    /// The config the container was started with.
    public func config(_ id: String) throws(RuntimeError) -> OCISpec {
        do { return try SpecDecoder.decode(JSONFile.read(dir(id) + "/config.json")) } catch { throw .state("\(error)") }
    }

    /// The container's hooks (none when hooks.json is absent).
    public func hooks(_ id: String) throws(RuntimeError) -> OCISpec.Hooks {
        let path = dir(id) + "/hooks.json"
        guard access(path, F_OK) == 0 else { return OCISpec.Hooks() }
        let saved: JSONValue
        do { saved = try JSONValue.parse(JSONFile.read(path)) } catch { throw .state("\(path): \(error)") }
        return try SpecFragment.decode(saved["hooks"] ?? .object([:]), as: .hooks, source: path).hooks
    }

    public func list() -> [String] {
        guard let d = opendir(root) else { return [] }
        defer { closedir(d) }
        var ids: [String] = []
        while let e = readdir(d) {
            let name = withUnsafeBytes(of: e.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name != "." && name != ".." && (try? ContainerID.validate(name)) != nil { ids.append(name) }
        }
        return ids.sorted()
    }

    public func remove(_ id: String) {
        let d = dir(id)
        for f in ["state.json", "config.json", "hooks.json", "exec.fifo"] { unlink(d + "/" + f) }
        rmdir(d)
    }
}

/// The OCI runtime states a client sees (runtime-spec runtime.md; runc's names).
public enum ContainerStatus: String, Sendable {
    case creating, created, running, paused, stopped
}

/// Wall-clock time as RFC 3339 (UTC, nanoseconds), without Foundation.
public enum Timestamp {
    public static func now() -> String {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        var t = time_t(ts.tv_sec)
        var tm = Glibc.tm()
        gmtime_r(&t, &tm)
        var buf = [CChar](repeating: 0, count: 32)
        strftime(&buf, buf.count, "%Y-%m-%dT%H:%M:%S", &tm)
        let ns = String(ts.tv_nsec)
        let date = String(decoding: buf.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return date + "." + String(repeating: "0", count: 9 - ns.count) + ns + "Z"
    }
}

/// `--pid-file`: the pid as text, written atomically (runc's format).
public enum PidFile {
    public static func write(_ pid: Int32, to path: String) throws(RuntimeError) {
        do { try JSONFile.write(Array(String(pid).utf8), to: Files.absolute(path), mode: 0o644) } catch {
            throw .state("\(error)")
        }
    }
}
