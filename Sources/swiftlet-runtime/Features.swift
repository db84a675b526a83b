import ArgumentParser
import ContainerRuntime

/// `features`: the runtime-spec features document (features.md), as containerd 2 and CRI-O read it.
struct Features: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "features", abstract: "Print what this runtime supports (OCI features JSON).")

    static let document: JSONValue = .object([
        "ociVersionMin": "1.0.0",
        "ociVersionMax": .string(RuntimeVersion.ociSpec),
        "hooks": .array(["prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop"]),
        "mountOptions": .array(["async", "atime", "bind", "defaults", "dev", "diratime", "exec", "mand", "noatime",
                                "nodev", "nodiratime", "noexec", "nomand", "norelatime", "nostrictatime", "nosuid",
                                "private", "rbind", "relatime", "ro", "rprivate", "rshared", "rslave", "runbindable",
                                "rw", "shared", "slave", "strictatime", "suid", "sync", "unbindable"]),
        "linux": .object([
            "namespaces": .array(["cgroup", "ipc", "mount", "network", "pid", "uts"]),
            "capabilities": .array(Features.capabilityNames.map { .string($0) }),
            "cgroup": .object(["v1": true, "v2": true, "systemd": false, "systemdUser": false]),
            "seccomp": .object([
                "enabled": true,
                "actions": .array(["SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO", "SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS",
                                   "SCMP_ACT_KILL_THREAD", "SCMP_ACT_LOG", "SCMP_ACT_TRAP", "SCMP_ACT_TRACE"]),
                "operators": .array(["SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_LE", "SCMP_CMP_LT",
                                     "SCMP_CMP_MASKED_EQ", "SCMP_CMP_NE"]),
                "archs": .array(["SCMP_ARCH_X86", "SCMP_ARCH_X86_64", "SCMP_ARCH_X32", "SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM"]),
            ]),
            "apparmor": .object(["enabled": false]),
            "selinux": .object(["enabled": false]),
        ]),
        "annotations": .object(["io.github.swiftlet.runtime.version": .string(RuntimeVersion.number)]),
    ])

    static let capabilityNames = [
        "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL", "CAP_SETGID",
        "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN",
        "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT",
        "CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE", "CAP_SYS_RESOURCE",
        "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE", "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL",
        "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND",
        "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE",
    ]

    func run() throws {
        writeStdout(Self.document.text(pretty: true) + "\n")
    }
}
