import CShims

/// Everything that can go wrong while creating, running or tearing down a container, each
/// case rendered as one sentence that names the step, the path or field, and the errno.
public enum RuntimeError: Error, CustomStringConvertible {
    /// config.json could not be read or is invalid.
    case spec(String)
    /// A value in the config that we understand but cannot honour here.
    case unsupported(field: String, reason: String)
    /// A step in the container's child process failed (reported over the error pipe).
    case child(stage: Int32, errno: Errno, subject: String)
    /// A step in the runtime itself failed.
    case system(step: String, errno: Errno)
    case cgroup(String)
    case state(String)
    case notFound(id: String)
    case alreadyExists(id: String)
    case invalidID(String)
    /// An OCI hook failed: which one, and how (HookRunner).
    case hook(HookFailure)

    public var description: String {
        switch self {
        case .spec(let s), .cgroup(let s), .state(let s): return s
        case .unsupported(let field, let reason): return "\(field): \(reason)"
        case .child(let stage, let e, let subject): return "\(ChildStage.sentence(stage, subject: subject)) failed: \(e)"
        case .system(let step, let e): return "\(step) failed: \(e)"
        case .hook(let failure): return failure.description
        case .notFound(let id): return "container \"\(id)\" does not exist"
        case .alreadyExists(let id): return "container \"\(id)\" already exists"
        case .invalidID(let id):
            return "invalid container id \"\(id)\": use 1 to 1024 letters, digits, '-', '_', '.' (not starting with '.')"
        }
    }
}

/// Names the child's steps (enum sl_stage) the way a user reads them.
enum ChildStage {
    static func sentence(_ stage: Int32, subject: String) -> String {
        let s = subject.isEmpty ? "" : " " + subject
        switch UInt32(bitPattern: stage) {
        case SL_STAGE_SIGNALS.rawValue: return "resetting signal handlers"
        case SL_STAGE_CGROUP_JOIN.rawValue: return "joining the container's cgroup" + s
        case SL_STAGE_SETNS.rawValue: return "joining namespace" + s
        case SL_STAGE_UNSHARE_CGROUPNS.rawValue: return "creating the cgroup namespace"
        case SL_STAGE_PDEATHSIG.rawValue: return "setting the parent-death signal"
        case SL_STAGE_SETSID.rawValue: return "creating a session"
        case SL_STAGE_PROPAGATION.rawValue: return "setting the mount propagation of the container's root (linux.rootfsPropagation)"
        case SL_STAGE_ROOTFS_BIND.rawValue: return "bind-mounting the rootfs" + s
        case SL_STAGE_ROOTFS_OPEN.rawValue: return "opening the rootfs" + s
        case SL_STAGE_MOUNT_TARGET.rawValue: return "resolving the mount target" + s
        case SL_STAGE_MOUNT.rawValue: return "mount of" + s
        case SL_STAGE_MOUNT_ATTR.rawValue: return "setting mount options of" + s
        case SL_STAGE_DEVICE.rawValue: return "creating device" + s
        case SL_STAGE_DEV_SYMLINK.rawValue: return "creating the /dev symlinks"
        case SL_STAGE_CONSOLE.rawValue: return "setting up the console"
        case SL_STAGE_PIVOT_ROOT.rawValue: return "pivot_root into" + s
        case SL_STAGE_DETACH_OLD_ROOT.rawValue: return "detaching the old root"
        case SL_STAGE_MASK_PATH.rawValue: return "masking" + s
        case SL_STAGE_READONLY_PATH.rawValue: return "making read-only" + s
        case SL_STAGE_ROOTFS_READONLY.rawValue: return "making the rootfs read-only"
        case SL_STAGE_LOOPBACK.rawValue: return "bringing up the loopback interface"
        case SL_STAGE_HOSTNAME.rawValue: return "setting the hostname" + s
        case SL_STAGE_DOMAINNAME.rawValue: return "setting the domain name" + s
        case SL_STAGE_SYSCTL.rawValue: return "setting sysctl" + s
        case SL_STAGE_RLIMIT.rawValue: return "setting rlimit" + s
        case SL_STAGE_CWD.rawValue: return "entering the working directory" + s
        case SL_STAGE_CAP_BOUNDING.rawValue: return "dropping capabilities from the bounding set"
        case SL_STAGE_KEEPCAPS.rawValue: return "keeping capabilities across the user change"
        case SL_STAGE_SETGROUPS.rawValue: return "setting additional groups"
        case SL_STAGE_SETGID.rawValue: return "setting gid" + s
        case SL_STAGE_SETUID.rawValue: return "setting uid" + s
        case SL_STAGE_CAPSET.rawValue: return "setting capabilities"
        case SL_STAGE_CAP_AMBIENT.rawValue: return "raising ambient capabilities"
        case SL_STAGE_NO_NEW_PRIVS.rawValue: return "setting no_new_privs"
        case SL_STAGE_OOM_SCORE.rawValue: return "setting oom_score_adj"
        case SL_STAGE_SECCOMP.rawValue: return "loading the seccomp filter"
        case SL_STAGE_CLOSE_FDS.rawValue: return "closing inherited file descriptors"
        case SL_STAGE_EXEC.rawValue: return "executing" + s
        case SL_STAGE_FORK.rawValue: return "forking into the container's pid namespace"
        default: return "container set-up step \(stage)"
        }
    }
}
