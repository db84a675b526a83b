#if canImport(Glibc)
import Glibc
#endif
import CShims

/// One OCI mount turned into what the child executes: a new filesystem instance or a bind,
/// with per-mount attributes and filesystem options split apart.
struct PlannedMount: Equatable {
    enum Kind: Equatable { case filesystem(type: String), bind(source: String, recursive: Bool) }
    var kind: Kind
    /// A filesystem's source as given ("proc", "shm"): what mountinfo shows. nil for binds.
    var source: String?
    var target: String
    var options: [(String, String?)]
    var attrSet: UInt64 = 0
    var attrClear: UInt64 = 0
    var propagation: UInt64 = 0
    var targetIsFile = false

    static func == (a: PlannedMount, b: PlannedMount) -> Bool {
        a.kind == b.kind && a.source == b.source && a.target == b.target && a.attrSet == b.attrSet && a.attrClear == b.attrClear
            && a.propagation == b.propagation && a.targetIsFile == b.targetIsFile
            && a.options.map { $0.0 } == b.options.map { $0.0 } && a.options.map { $0.1 } == b.options.map { $0.1 }
    }
}

/// Turns `mounts[]` of config.json into PlannedMounts. Pure logic (only binds stat their source).
enum MountPlanner {
    // MOUNT_ATTR_* (linux/mount.h)
    static let rdonly: UInt64 = 0x1, nosuid: UInt64 = 0x2, nodev: UInt64 = 0x4, noexec: UInt64 = 0x8
    static let atimeMask: UInt64 = 0x70, relatime: UInt64 = 0x0, noatime: UInt64 = 0x10, strictatime: UInt64 = 0x20
    static let nodiratime: UInt64 = 0x80, nosymfollow: UInt64 = 0x200000
    // MS_* propagation types
    static let msPrivate: UInt64 = 1 << 18, msSlave: UInt64 = 1 << 19, msShared: UInt64 = 1 << 20, msUnbindable: UInt64 = 1 << 17

    /// Propagation option names (also used for linux.rootfsPropagation).
    static func propagation(_ name: String) -> UInt64? {
        switch name {
        case "private", "rprivate": return msPrivate
        case "slave", "rslave": return msSlave
        case "shared", "rshared": return msShared
        case "unbindable", "runbindable": return msUnbindable
        default: return nil
        }
    }

    /// Options that change nothing for a fresh mount and are accepted silently.
    static let ignoredOptions: Set<String> = ["defaults", "async", "loud", "silent", "nomand", "remount", "norelatime"]

    /// `hostCgroup2`: the host's cgroup2 mount point when the container has no cgroup namespace
    /// of its own (nil when it has one).
    static func plan(_ m: OCISpec.Mount, index: Int, bundle: String,
                     hostCgroup2: String? = nil) throws(RuntimeError) -> PlannedMount {
        let field = "mounts[\(index)]"
        guard m.destination.hasPrefix("/") else {
            throw .spec("config.json: \(field).destination: must be an absolute path, got \"\(m.destination)\"")
        }
        var bind: Bool? = nil   // nil: not a bind; false: bind; true: rbind
        if m.type == "bind" { bind = false }
        for o in m.options where o == "bind" || o == "rbind" { bind = (bind ?? false) || o == "rbind" }

        var p = PlannedMount(kind: .filesystem(type: ""), target: m.destination, options: [])
        var fsOptions: [(String, String?)] = []
        for o in m.options {
            switch o {
            case "bind", "rbind": continue
            case "ro": p.attrSet |= rdonly; p.attrClear &= ~rdonly
            case "rw": p.attrClear |= rdonly; p.attrSet &= ~rdonly
            case "nosuid": p.attrSet |= nosuid
            case "suid": p.attrClear |= nosuid
            case "nodev": p.attrSet |= nodev
            case "dev": p.attrClear |= nodev
            case "noexec": p.attrSet |= noexec
            case "exec": p.attrClear |= noexec
            case "relatime": p.attrSet = (p.attrSet & ~atimeMask) | relatime; p.attrClear |= atimeMask
            case "noatime": p.attrSet = (p.attrSet & ~atimeMask) | noatime; p.attrClear |= atimeMask
            case "strictatime": p.attrSet = (p.attrSet & ~atimeMask) | strictatime; p.attrClear |= atimeMask
            case "nodiratime": p.attrSet |= nodiratime
            case "diratime": p.attrClear |= nodiratime
            case "nosymfollow": p.attrSet |= nosymfollow
            case "idmap", "ridmap":
                throw .unsupported(field: "config.json: \(field).options", reason: "idmapped mounts (\"\(o)\") are not supported")
            case "tmpcopyup":
                throw .unsupported(field: "config.json: \(field).options", reason: "\"tmpcopyup\" is not supported")
            default:
                if let prop = propagation(o) { p.propagation = prop; continue }
                if ignoredOptions.contains(o) { continue }
                if let eq = o.firstIndex(of: "=") {
                    fsOptions.append((String(o[..<eq]), String(o[o.index(after: eq)...])))
                } else {
                    fsOptions.append((o, nil))   // a filesystem flag such as devpts' "newinstance"
                }
            }
        }

        if let recursive = bind {
            guard let src = m.source, !src.isEmpty else {
                throw .spec("config.json: \(field).source: a bind mount needs a source")
            }
            // Filesystem data ("mode=755", "size=1m", "uid=0") means nothing to a bind: mount(2)
            // ignores it with MS_BIND, and runc passes it on and so runs such configs. It is left
            // out (p.options stays empty); the per-mount flags and propagation above still apply.
            let abs = Files.absolute(src, base: bundle)
            let resolved: String
            do { resolved = try Files.realPath(abs) } catch {
                throw .spec("config.json: \(field).source: cannot use \(abs): \(error)")
            }
            p.kind = .bind(source: resolved, recursive: recursive)
            p.targetIsFile = !Files.isDirectory(resolved)
        } else {
            guard let type = m.type, !type.isEmpty else {
                throw .spec("config.json: \(field).type: required for a mount that is not a bind")
            }
            // With a cgroup namespace, cgroup2 shows the container's own subtree, on pure v2 and
            // hybrid hosts alike; v1 hierarchies are not mounted into containers. Without one, a
            // new cgroup2 instance would show the host's whole tree, exactly what the host's own
            // cgroup2 mount shows: that is bound instead (a fresh instance there costs ~5 ms a
            // start, in the mount and in its teardown; runc's spec has no cgroup namespace).
            if type == "cgroup" || type == "cgroup2", let host = hostCgroup2 {
                p.kind = .bind(source: host, recursive: false)
                return p
            }
            p.kind = .filesystem(type: type == "cgroup" ? "cgroup2" : type)
            p.source = m.source.flatMap { $0.isEmpty ? nil : $0 }
            // fsmount only takes the per-mount bits; clearing makes no sense on a new instance.
            p.attrClear = 0
            p.options = fsOptions
        }
        return p
    }
}
