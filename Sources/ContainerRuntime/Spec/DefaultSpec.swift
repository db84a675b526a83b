// The config `swiftlet-runtime spec` writes: runc's default spec with Docker's security profile
// (Docker's 14 default capabilities, its masked paths, its seccomp profile) and a cgroup namespace.

/// swiftlet's default configuration.
public enum DefaultSpec {
    /// A complete, valid spec that runs `args` in `rootfs` (relative to the bundle) as root.
    public static func make(rootfs: String = "rootfs", args: [String] = ["sh"], terminal: Bool = false) -> OCISpec {
        OCISpec(
            ociVersion: "1.0.2",
            process: OCISpec.Process(
                terminal: terminal,
                user: OCISpec.User(uid: 0, gid: 0),
                args: args,
                env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"],
                cwd: "/",
                capabilities: OCISpec.Capabilities(bounding: capabilities, effective: capabilities,
                                                   inheritable: [], permitted: capabilities, ambient: []),
                rlimits: [OCISpec.Rlimit(type: "RLIMIT_NOFILE", soft: 1024, hard: 1024)],
                noNewPrivileges: true
            ),
            root: OCISpec.Root(path: rootfs, readonly: true),
            hostname: "swiftlet",
            mounts: mounts,
            linux: OCISpec.Linux(
                namespaces: ["pid", "network", "ipc", "uts", "mount", "cgroup"].map { OCISpec.Namespace(type: $0) },
                resources: OCISpec.Resources(devices: [OCISpec.DeviceCgroupRule(allow: false, access: "rwm")]),
                seccomp: DefaultSeccompProfile.make(),
                maskedPaths: maskedPaths,
                readonlyPaths: readonlyPaths
            )
        )
    }

    /// Docker's default capability set.
    static let capabilities = [
        "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW",
        "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE",
        "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE",
    ]

    static let mounts = [
        OCISpec.Mount(destination: "/proc", type: "proc", source: "proc"),
        OCISpec.Mount(destination: "/dev", type: "tmpfs", source: "tmpfs",
                      options: ["nosuid", "strictatime", "mode=755", "size=65536k"]),
        OCISpec.Mount(destination: "/dev/pts", type: "devpts", source: "devpts",
                      options: ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"]),
        OCISpec.Mount(destination: "/dev/shm", type: "tmpfs", source: "shm",
                      options: ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"]),
        OCISpec.Mount(destination: "/dev/mqueue", type: "mqueue", source: "mqueue",
                      options: ["nosuid", "noexec", "nodev"]),
        OCISpec.Mount(destination: "/sys", type: "sysfs", source: "sysfs",
                      options: ["nosuid", "noexec", "nodev", "ro"]),
        OCISpec.Mount(destination: "/sys/fs/cgroup", type: "cgroup", source: "cgroup",
                      options: ["nosuid", "noexec", "nodev", "relatime", "ro"]),
    ]

    /// runc's masked paths plus Docker's additions (/proc/scsi, powercap: energy side channels).
    static let maskedPaths = [
        "/proc/asound", "/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
        "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi", "/sys/firmware",
        "/sys/devices/virtual/powercap",
    ]

    static let readonlyPaths = ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"]
}
