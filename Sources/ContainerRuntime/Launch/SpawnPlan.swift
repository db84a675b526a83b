#if canImport(Glibc)
import Glibc
#endif
import CShims

/// Everything the child needs, prepared in the parent: the C config plus the memory and fds it
/// points to. Kept alive until the spawn returns.
final class SpawnPlan {
    let arena = CArena()
    let fds = DescriptorSet()
    var config = sl_spawn_config()
    /// For error sentences: what each mount / masked path / rlimit index refers to.
    var mountDescriptions: [String] = []
    var maskedPaths: [String] = []
    var readonlyPaths: [String] = []
    var sysctlNames: [String] = []
    var rootfs = ""
    /// Things in the config that are ignored rather than refused (unknown capability names), as
    /// sentences without a prefix; reported through `RuntimeWarnings` when the plan is made.
    var warnings: [String] = []

    static let namespaceFlags: [String: Int32] = [
        "pid": Namespaces.pid, "network": Namespaces.net, "mount": Namespaces.mount, "ipc": Namespaces.ipc,
        "uts": Namespaces.uts, "cgroup": Namespaces.cgroup,
    ]

    /// The devices every container gets (with a tmpfs /dev), as runc and Docker create them.
    static let defaultDevices: [OCISpec.Device] = [
        .init(type: "c", path: "/dev/null", major: 1, minor: 3, fileMode: 0o666, uid: 0, gid: 0),
        .init(type: "c", path: "/dev/zero", major: 1, minor: 5, fileMode: 0o666, uid: 0, gid: 0),
        .init(type: "c", path: "/dev/full", major: 1, minor: 7, fileMode: 0o666, uid: 0, gid: 0),
        .init(type: "c", path: "/dev/random", major: 1, minor: 8, fileMode: 0o666, uid: 0, gid: 0),
        .init(type: "c", path: "/dev/urandom", major: 1, minor: 9, fileMode: 0o666, uid: 0, gid: 0),
        .init(type: "c", path: "/dev/tty", major: 5, minor: 0, fileMode: 0o666, uid: 0, gid: 0),
    ]

    /// Builds the plan for a container's init. `cgroupFD` is the v2 directory for
    /// CLONE_INTO_CGROUP (-1 for none); `joinFDs` are cgroup.procs files the child writes to.
    init(spec: OCISpec, bundle: String, cgroupFD: Int32, joinFDs: [Int32], errorFD: Int32,
         consoleSocketFD: Int32, hostCgroup2: String? = nil, options: LaunchOptions) throws(RuntimeError) {
        guard let process = spec.process else { throw .spec("config.json: process: required to run a container") }
        guard let root = spec.root else { throw .spec("config.json: root.path: required") }
        let linux = spec.linux ?? OCISpec.Linux()

        let rootPath = Files.absolute(root.path, base: bundle)
        do { rootfs = try Files.realPath(rootPath) } catch {
            throw .spec("config.json: root.path: cannot use \(rootPath): \(error)")
        }
        guard Files.isDirectory(rootfs) else { throw .spec("config.json: root.path: \(rootfs) is not a directory") }

        config.cgroup_fd = cgroupFD
        config.procs_fds = arena.copy(joinFDs)
        config.n_procs_fds = Int32(joinFDs.count)
        config.error_fd = errorFD
        config.console_socket_fd = consoleSocketFD
        config.die_with_parent = options.dieWithParent ? 1 : 0
        config.clone_parent = options.cloneParent ? 1 : 0

        try planNamespaces(linux.namespaces)
        let hasNewMountNS = config.clone_flags & UInt64(Namespaces.mount) != 0
        guard hasNewMountNS else {
            throw .unsupported(field: "config.json: linux.namespaces",
                               reason: "a container without its own mount namespace is not supported")
        }
        // A uts namespace joined by path gets the hostname too, as runc does (pods share one).
        if spec.hostname != nil && !linux.namespaces.contains(where: { $0.type == "uts" }) {
            throw .spec("config.json: hostname: setting a hostname needs a uts namespace (new, or joined by path)")
        }
        config.rootfs = arena.string(rootfs)
        if let overlay = options.overlay {
            config.rootfs_upper = arena.string(overlay.upper)
            config.rootfs_work = arena.string(overlay.work)
        }
        config.rootfs_readonly = root.readonly ? 1 : 0
        if let prop = linux.rootfsPropagation {
            guard let v = MountPlanner.propagation(prop) else {
                throw .spec("config.json: linux.rootfsPropagation: unknown propagation \"\(prop)\"")
            }
            config.rootfs_propagation = v
        }
        try planMounts(spec.mounts, bundle: bundle, hostCgroup2: hostCgroup2)
        try planDevices(linux.devices)
        config.loopback_up = ownsNamespace(linux.namespaces, "network") ? 1 : 0

        maskedPaths = linux.maskedPaths
        readonlyPaths = linux.readonlyPaths
        config.masked_paths = arena.stringArray(maskedPaths)
        config.n_masked_paths = Int32(maskedPaths.count)
        config.readonly_paths = arena.stringArray(readonlyPaths)
        config.n_readonly_paths = Int32(readonlyPaths.count)
        sysctlNames = linux.sysctl.keys.sorted()
        let sysctls = linux.sysctl.sorted { $0.key < $1.key }.map { (k, v) in
            sl_sysctl(path: arena.string("/proc/sys/" + k.replacingDots()), value: arena.string(v))
        }
        config.sysctls = arena.copy(sysctls)
        config.n_sysctls = Int32(sysctls.count)
        config.hostname = arena.optionalString(spec.hostname)
        config.domainname = arena.optionalString(spec.domainname)

        warnings += try ProcessPlanner.fill(&config.process, from: process, seccomp: linux.seccomp,
                                            seccompCache: options.seccompCacheDirectory, stdio: options.stdio, arena: arena)
        config.process.preserve_fds = options.preserveFDs
        warnings.forEach(RuntimeWarnings.report)
    }

    private func ownsNamespace(_ nss: [OCISpec.Namespace], _ type: String) -> Bool {
        nss.contains { $0.type == type && ($0.path ?? "").isEmpty }
    }

    private func planNamespaces(_ nss: [OCISpec.Namespace]) throws(RuntimeError) {
        var joins: [sl_ns_join] = []
        for (i, ns) in nss.enumerated() {
            let field = "config.json: linux.namespaces[\(i)]"
            guard let flag = Self.namespaceFlags[ns.type] else {
                throw .unsupported(field: field + ".type", reason: "namespace type \"\(ns.type)\" is not supported")
            }
            guard let path = ns.path, !path.isEmpty else {
                if flag == Namespaces.cgroup { config.new_cgroupns = 1 } else { config.clone_flags |= UInt64(flag) }
                continue
            }
            let fd = sl_open_ns_path(path)
            if fd < 0 {
                throw .spec("\(field).path: cannot open \(path) as a namespace: \(Errno(-fd))")
            }
            fds.adopt(fd)
            let actual = sl_ns_type(fd)
            if actual >= 0 && actual != flag {
                throw .spec("\(field).path: \(path) is not a \(ns.type) namespace")
            }
            if flag == Namespaces.pid {
                // Not joined by the child: setns(CLONE_NEWPID) only places later children, so the
                // parent enters it around clone and the init is born inside (sl_spawn_container).
                config.has_pidns_join = 1
                config.pidns_join_fd = fd
                continue
            }
            joins.append(sl_ns_join(fd: fd, nstype: flag))
        }
        config.ns_joins = arena.copy(joins)
        config.n_ns_joins = Int32(joins.count)
    }

    /// `hostCgroup2`: the host's cgroup2 mount point (the layout Container.start detected), bound
    /// for a cgroup mount when the container shares our cgroup namespace.
    private func planMounts(_ mounts: [OCISpec.Mount], bundle: String, hostCgroup2: String?) throws(RuntimeError) {
        let hostCgroup2 = config.new_cgroupns == 0 ? hostCgroup2 : nil
        var cmounts: [sl_mount] = []
        for (i, m) in mounts.enumerated() {
            let p = try MountPlanner.plan(m, index: i, bundle: bundle, hostCgroup2: hostCgroup2)
            var c = sl_mount()
            switch p.kind {
            case .filesystem(let type):
                c.kind = Int32(SL_MOUNT_FS.rawValue)
                c.fstype = arena.string(type)
                c.options = arena.stringArray(p.options.flatMap { [$0.0, $0.1] })
                c.source = arena.optionalString(p.source)
                mountDescriptions.append("\(type) on \(rootfs)\(m.destination)")
                if m.destination == "/dev" && type == "tmpfs" { config.setup_dev = 1 }
            case .bind(let source, let recursive):
                c.kind = Int32(SL_MOUNT_BIND.rawValue)
                c.recursive = recursive ? 1 : 0
                c.source = arena.string(source)
                mountDescriptions.append("\(source) on \(rootfs)\(m.destination)")
            }
            c.target = arena.string(p.target)
            c.attr_set = p.attrSet
            c.attr_clr = p.attrClear
            c.propagation = p.propagation
            c.target_is_file = p.targetIsFile ? 1 : 0
            cmounts.append(c)
        }
        config.mounts = arena.copy(cmounts)
        config.n_mounts = Int32(cmounts.count)
    }

    private func planDevices(_ devices: [OCISpec.Device]) throws(RuntimeError) {
        guard config.setup_dev == 1 else { return }
        var all = Self.defaultDevices.filter { d in !devices.contains { $0.path == d.path } }
        all.append(contentsOf: devices)
        var cdevs: [sl_device] = []
        for (i, d) in all.enumerated() {
            let kind: UInt32
            switch d.type {
            case "c", "u": kind = UInt32(S_IFCHR)
            case "b": kind = UInt32(S_IFBLK)
            case "p": kind = UInt32(S_IFIFO)
            default: throw .spec("config.json: linux.devices[\(i - (all.count - devices.count))].type: unknown device type \"\(d.type)\"")
            }
            guard d.path.hasPrefix("/dev/") else {
                throw .spec("config.json: linux.devices: \(d.path) is not under /dev")
            }
            cdevs.append(sl_device(path: arena.string(d.path), mode: kind | ((d.fileMode ?? 0o666) & 0o7777),
                                   major: UInt32(clamping: d.major), minor: UInt32(clamping: d.minor),
                                   uid: d.uid ?? 0, gid: d.gid ?? 0))
        }
        config.devices = arena.copy(cdevs)
        config.n_devices = Int32(cdevs.count)
    }

    /// The subject of a child error, for the sentence ("mount of proc on /x/rootfs/proc").
    func subject(stage: Int32, index: Int32) -> String {
        let i = Int(index)
        switch UInt32(bitPattern: stage) {
        case SL_STAGE_MOUNT.rawValue, SL_STAGE_MOUNT_ATTR.rawValue, SL_STAGE_MOUNT_TARGET.rawValue:
            return mountDescriptions.indices.contains(i) ? mountDescriptions[i] : ""
        case SL_STAGE_MASK_PATH.rawValue: return maskedPaths.indices.contains(i) ? maskedPaths[i] : ""
        case SL_STAGE_READONLY_PATH.rawValue: return readonlyPaths.indices.contains(i) ? readonlyPaths[i] : ""
        case SL_STAGE_SYSCTL.rawValue: return sysctlNames.indices.contains(i) ? sysctlNames[i] : ""
        case SL_STAGE_PIVOT_ROOT.rawValue, SL_STAGE_ROOTFS_BIND.rawValue, SL_STAGE_ROOTFS_OPEN.rawValue: return rootfs
        default: return ProcessSubject.describe(stage: stage, index: index, process: config.process)
        }
    }
}

/// CLONE_NEW* flags (linux/sched.h; Glibc's Swift module does not export them).
enum Namespaces {
    static let mount: Int32 = 0x0002_0000
    static let cgroup: Int32 = 0x0200_0000
    static let uts: Int32 = 0x0400_0000
    static let ipc: Int32 = 0x0800_0000
    static let pid: Int32 = 0x2000_0000
    static let net: Int32 = 0x4000_0000
}

/// Subjects for the steps shared by init and exec.
enum ProcessSubject {
    static func describe(stage: Int32, index: Int32, process p: sl_process) -> String {
        switch UInt32(bitPattern: stage) {
        case SL_STAGE_EXEC.rawValue: return p.path.map { String(cString: $0) } ?? ""
        case SL_STAGE_CWD.rawValue: return p.cwd.map { String(cString: $0) } ?? ""
        case SL_STAGE_SETUID.rawValue: return String(p.uid)
        case SL_STAGE_SETGID.rawValue: return String(p.gid)
        case SL_STAGE_RLIMIT.rawValue:
            guard index >= 0, index < p.n_rlimits, let r = p.rlimits?[Int(index)] else { return "" }
            return ProcessPlanner.rlimitNames.first { $0.value == r.resource }?.key ?? String(r.resource)
        default: return ""
        }
    }
}

extension String {
    /// "net.ipv4.ip_forward" -> "net/ipv4/ip_forward" (sysctl names to /proc/sys paths).
    func replacingDots() -> String { String(map { $0 == "." ? "/" : $0 }) }
}
