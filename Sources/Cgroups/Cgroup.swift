import Glibc

/// One container's cgroup, in every hierarchy it spans. A value of plain paths: any process can
/// reopen it with `init(paths:)`; every operation re-reads the kernel's state.
public struct Cgroup: Sendable, Equatable {
    public let paths: CgroupPaths

    public init(paths: CgroupPaths) {
        self.paths = paths
    }

    /// Creates `swiftlet/<name>` in the cgroup2 tree (at its root) and in the v1 hierarchies that
    /// `resources` needs (under our own cgroup there, as runc does), then applies `resources`. On
    /// failure, removes what it created. An existing, empty cgroup of that name is reused; one
    /// with processes is refused.
    ///
    /// Hybrid hosts: the v2 tree gives lifetime (cgroup.kill, cgroup.events, freeze) and device
    /// policy (a BPF program, which the kernel checks on hybrid hosts too), and the container
    /// joins it atomically with CLONE_INTO_CGROUP. A v1 hierarchy is joined only for a limit set
    /// in `resources`: each join is a migration that waits for an RCU grace period in the
    /// kernel (about 15 ms here), the largest single cost of a container start.
    public static func create(
        name: String, layout: CgroupLayout, resources: CgroupResources = CgroupResources()
    ) throws(CgroupError) -> Cgroup {
        let name = try CgroupName.validate(name)
        try resources.validate()
        var created: [String] = []
        do throws(CgroupError) {
            var v2: String?
            if let mount = layout.v2Mount {
                let isUnified = if case .unified = layout { true } else { false }
                v2 = try makeDirectory(name: name, under: mount, setup: isUnified ? .enableControllers : .none,
                                       created: &created)
            }
            var v1: [String: String] = [:]
            var byHierarchy: [String: String] = [:]   // own directory -> container directory
            let cpusetHierarchy = layout.v1Hierarchies["cpuset"]
            let hierarchies = layout.v2Mount == nil ? layout.v1Hierarchies
                : layout.v1Hierarchies.filter { resources.v1Controllers.contains($0.key) }
            for (controller, hierarchy) in hierarchies.sorted(by: { $0.key < $1.key }) {
                if let dir = byHierarchy[hierarchy.ownDirectory] {
                    v1[controller] = dir
                    continue
                }
                let setup: ParentSetup = hierarchy == cpusetHierarchy ? .copyCpuset : .none
                let dir = try makeDirectory(name: name, under: hierarchy.ownDirectory, setup: setup, created: &created)
                byHierarchy[hierarchy.ownDirectory] = dir
                v1[controller] = dir
            }
            let cgroup = Cgroup(paths: CgroupPaths(v2: v2, v1: v1))
            try cgroup.apply(resources)
            return cgroup
        } catch {
            for dir in created.reversed() { rmdir(dir) }
            throw error
        }
    }

    /// The cgroup `create(name:)` made, wherever its directories still exist (a daemon that died
    /// may have left one behind); nil when there is none.
    public static func existing(name: String, layout: CgroupLayout) -> Cgroup? {
        func dir(_ base: String) -> String? {
            let d = CgroupFS.join(CgroupFS.join(base, CgroupName.parent), name)
            var st = stat()
            return stat(d, &st) == 0 ? d : nil
        }
        let v2 = layout.v2Mount.flatMap(dir)
        var v1: [String: String] = [:]
        for (controller, hierarchy) in layout.v1Hierarchies { if let d = dir(hierarchy.ownDirectory) { v1[controller] = d } }
        return v2 == nil && v1.isEmpty ? nil : Cgroup(paths: CgroupPaths(v2: v2, v1: v1))
    }

    /// What a new directory needs before anything can join it.
    enum ParentSetup {
        case none
        /// v2 on a unified host: controllers must be enabled in every ancestor's subtree_control.
        case enableControllers
        /// v1 cpuset: a new cgroup starts with empty cpus/mems, and tasks cannot join it then.
        case copyCpuset
    }

    /// mkdir `<base>/swiftlet/<name>`, creating the shared parent when needed. The parent can vanish
    /// between the two mkdirs (another container's destroy removes it when empty): retry then.
    private static func makeDirectory(
        name: String, under base: String, setup: ParentSetup, created: inout [String]
    ) throws(CgroupError) -> String {
        let parent = CgroupFS.join(base, CgroupName.parent)
        let dir = CgroupFS.join(parent, name)
        for _ in 0..<5 {
            let e = CgroupFS.makeDirectory(parent)
            if e == 0 {
                created.append(parent)
            } else if e != EEXIST {
                throw .create(path: parent, errno: e)
            }
            do throws(CgroupError) {
                try prepare(setup, directory: parent, parent: base)
            } catch {
                if error.errno == ENOENT { continue }
                throw error
            }
            switch CgroupFS.makeDirectory(dir) {
            case 0:
                created.append(dir)
                try prepare(setup == .copyCpuset ? .copyCpuset : .none, directory: dir, parent: parent)
                return dir
            case EEXIST:
                let procs = try CgroupFS.readIfPresent(CgroupFS.join(dir, "cgroup.procs")) ?? ""
                if procs.contains(where: { !$0.isWhitespace }) { throw .notEmpty(path: dir) }
                try prepare(setup == .copyCpuset ? .copyCpuset : .none, directory: dir, parent: parent)
                return dir
            case ENOENT:
                continue
            case let e:
                throw .create(path: dir, errno: e)
            }
        }
        throw .create(path: dir, errno: ENOENT)
    }

    private static func prepare(_ setup: ParentSetup, directory: String, parent: String) throws(CgroupError) {
        switch setup {
        case .none:
            return
        case .enableControllers:
            try enableControllers(in: parent)
            try enableControllers(in: directory)
        case .copyCpuset:
            for file in ["cpuset.cpus", "cpuset.mems"] {
                let own = try CgroupFS.read(CgroupFS.join(directory, file))
                guard own.allSatisfy(\.isWhitespace) else { continue }
                let inherited = try CgroupFS.read(CgroupFS.join(parent, file)).filter { !$0.isWhitespace }
                try CgroupFS.write(inherited, to: file, in: directory)
            }
        }
    }

    /// Controllers delegated to container cgroups on a unified host, when the host has them.
    static let delegatedControllers = ["cpu", "cpuset", "memory", "pids"]

    /// Enables the delegated controllers for the children of `dir`; writes only what is missing,
    /// so an already-configured host (systemd) sees no write at all.
    private static func enableControllers(in dir: String) throws(CgroupError) {
        let available = try CgroupFS.read(CgroupFS.join(dir, "cgroup.controllers")).split(whereSeparator: \.isWhitespace)
        let enabled = try CgroupFS.read(CgroupFS.join(dir, "cgroup.subtree_control")).split(whereSeparator: \.isWhitespace)
        let missing = delegatedControllers.filter { c in
            available.contains { $0 == c } && !enabled.contains { $0 == c }
        }
        if missing.isEmpty { return }
        try CgroupFS.write(missing.map { "+" + $0 }.joined(separator: " "), to: "cgroup.subtree_control", in: dir)
    }

    /// Applies (or updates) resources. Creation calls this; `update` can call it again.
    public func apply(_ resources: CgroupResources) throws(CgroupError) {
        try resources.validate()
        if paths.usesV2Resources, let dir = paths.v2 {
            try V2Resources.apply(resources, to: dir)
        } else {
            if !resources.unified.isEmpty {
                throw .invalidResource("unified (cgroup v2) settings need a pure cgroup v2 host")
            }
            var v1 = resources
            if let v2 = paths.v2, let rules = resources.devices {
                try V2Resources.attachDeviceProgram(rules, to: v2)
                v1.devices = nil
            }
            try V1Resources.apply(v1, to: paths.v1)
        }
    }

    /// An O_PATH directory fd of the v2 cgroup, for clone3(CLONE_INTO_CGROUP). -1 on a v1-only
    /// host, where joining goes through the cgroup.procs fds alone. The caller closes it.
    public func openV2Directory() throws(CgroupError) -> Int32 {
        guard let dir = paths.v2 else { return -1 }
        let fd = open(dir, oPath | O_DIRECTORY | O_CLOEXEC)
        if fd < 0 { throw .open(path: dir, errno: errno) }
        return fd
    }

    /// O_WRONLY fds of cgroup.procs in each v1 directory (and, with `includeV2`, the v2 one, for
    /// kernels without clone3): the child writes "0" to each to join. The caller closes them.
    public func openJoinFiles(includeV2: Bool = false) throws(CgroupError) -> [Int32] {
        var dirs = paths.v1Directories
        if includeV2, let v2 = paths.v2 { dirs.insert(v2, at: 0) }
        var fds: [Int32] = []
        for dir in dirs {
            let path = CgroupFS.join(dir, "cgroup.procs")
            let fd = open(path, O_WRONLY | O_CLOEXEC)
            if fd < 0 {
                let e = errno
                for fd in fds { close(fd) }
                throw .open(path: path, errno: e)
            }
            fds.append(fd)
        }
        return fds
    }

    /// Moves a running process into the cgroup, in every hierarchy.
    public func addProcess(_ pid: pid_t) throws(CgroupError) {
        for dir in paths.allDirectories {
            try CgroupFS.write(String(pid), to: "cgroup.procs", in: dir)
        }
    }
}

/// O_PATH is behind _GNU_SOURCE, which the Glibc module does not see; the value is the same on
/// every architecture we build for (x86_64, aarch64).
let oPath: Int32 = 0o10000000
