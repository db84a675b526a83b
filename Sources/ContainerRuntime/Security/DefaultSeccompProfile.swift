// swiftlet's default seccomp profile: Docker's (moby) default profile as it applies on x86_64 to
// a container with Docker's default capabilities (CHOWN, DAC_OVERRIDE, FSETID, FOWNER, MKNOD,
// NET_RAW, SETGID, SETUID, SETFCAP, SETPCAP, NET_BIND_SERVICE, SYS_CHROOT, KILL, AUDIT_WRITE).
//
// Source: github.com/moby/moby profiles/seccomp/default.json (the revision with the AF_VSOCK
// socket rule). moby's profile is a template resolved per arch, kernel and capability set;
// this is that resolution, written out. Everything not listed fails with EPERM.
//
// Included from moby's conditional rules, and why:
//  - ptrace, process_vm_readv, process_vm_writev: allowed from kernel 4.8 on, where seccomp
//    re-checks syscalls after a tracer changes them (our minimum kernel is far newer);
//  - arch_prctl, modify_ldt: the amd64 / x32 / x86 arch rules;
//  - chroot: CAP_SYS_CHROOT is a default capability;
//  - socket unless the family is AF_VSOCK (40), to keep containers off the host's vsock;
//  - personality with the five values moby allows (0, PER_LINUX32, UNAME26, both, and the query);
//  - clone only without namespace flags, and clone3 failing with ENOSYS so that libcs fall back
//    to clone: moby's rules for containers without CAP_SYS_ADMIN (seccomp cannot inspect
//    clone3's flags, which live in memory).
// Left out because they need capabilities Docker does not grant by default: the CAP_SYS_ADMIN
// set (mount, umount2, unshare, setns, bpf, perf_event_open, the new mount API, ...),
// open_by_handle_at (DAC_READ_SEARCH), reboot (SYS_BOOT), module loading (SYS_MODULE), acct,
// kcmp / pidfd_getfd / process_madvise (SYS_PTRACE), iopl / ioperm, the clock setters, vhangup,
// the NUMA policy calls, syslog. Never allowed at all: keyctl, add_key, request_key, kexec_*,
// swapon / swapoff, pivot_root, userfaultfd and the other obsolete or host-wide calls.
public enum DefaultSeccompProfile {
    public static func make() -> OCISpec.Seccomp {
        let allow = OCISpec.SyscallRule(names: allowed, action: "SCMP_ACT_ALLOW")
        let conditional: [OCISpec.SyscallRule] = [
            rule("socket", .init(index: 0, value: afVsock, op: "SCMP_CMP_NE")),
        ] + personalities.map { rule("personality", .init(index: 0, value: $0, op: "SCMP_CMP_EQ")) } + [
            rule("clone", .init(index: 0, value: namespaceFlags, valueTwo: 0, op: "SCMP_CMP_MASKED_EQ")),
            OCISpec.SyscallRule(names: ["clone3"], action: "SCMP_ACT_ERRNO", errnoRet: enosys),
        ]
        return OCISpec.Seccomp(
            defaultAction: "SCMP_ACT_ERRNO",
            defaultErrnoRet: 1,   // EPERM
            architectures: ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
            syscalls: [allow] + conditional
        )
    }

    private static func rule(_ name: String, _ arg: OCISpec.SyscallArg) -> OCISpec.SyscallRule {
        OCISpec.SyscallRule(names: [name], action: "SCMP_ACT_ALLOW", args: [arg])
    }

    private static let afVsock: UInt64 = 40
    private static let enosys: UInt32 = 38
    /// PER_LINUX, PER_LINUX32, UNAME26, PER_LINUX32 | UNAME26, and 0xffffffff (query only).
    private static let personalities: [UInt64] = [0x0, 0x8, 0x20000, 0x20008, 0xffff_ffff]
    /// CLONE_NEWNS | NEWCGROUP | NEWUTS | NEWIPC | NEWUSER | NEWPID | NEWNET.
    private static let namespaceFlags: UInt64 = 0x7E02_0000

    /// Allowed unconditionally. Names that exist on some of the arches only (chown32 is x86's)
    /// apply where they exist.
    static let allowed: [String] = [
        "_llseek", "_newselect",
        "accept", "accept4", "access", "adjtimex", "alarm", "arch_prctl",
        "bind", "brk",
        "capget", "capset", "chdir", "chmod", "chown", "chown32", "chroot", "clock_adjtime",
        "clock_adjtime64", "clock_getres", "clock_getres_time64", "clock_gettime", "clock_gettime64",
        "clock_nanosleep", "clock_nanosleep_time64", "close", "close_range", "connect",
        "copy_file_range", "creat",
        "dup", "dup2", "dup3",
        "epoll_create", "epoll_create1", "epoll_ctl", "epoll_ctl_old", "epoll_pwait", "epoll_pwait2",
        "epoll_wait", "epoll_wait_old", "eventfd", "eventfd2", "execve", "execveat", "exit",
        "exit_group",
        "faccessat", "faccessat2", "fadvise64", "fadvise64_64", "fallocate", "fanotify_mark", "fchdir",
        "fchmod", "fchmodat", "fchown", "fchown32", "fchownat", "fcntl", "fcntl64", "fdatasync",
        "fgetxattr", "flistxattr", "flock", "fork", "fremovexattr", "fsetxattr", "fstat", "fstat64",
        "fstatat64", "fstatfs", "fstatfs64", "fsync", "ftruncate", "ftruncate64", "futex",
        "futex_time64", "futex_waitv", "futimesat",
        "get_robust_list", "get_thread_area", "getcpu", "getcwd", "getdents", "getdents64", "getegid",
        "getegid32", "geteuid", "geteuid32", "getgid", "getgid32", "getgroups", "getgroups32",
        "getitimer", "getpeername", "getpgid", "getpgrp", "getpid", "getppid", "getpriority",
        "getrandom", "getresgid", "getresgid32", "getresuid", "getresuid32", "getrlimit", "getrusage",
        "getsid", "getsockname", "getsockopt", "gettid", "gettimeofday", "getuid", "getuid32",
        "getxattr",
        "inotify_add_watch", "inotify_init", "inotify_init1", "inotify_rm_watch", "io_cancel",
        "io_destroy", "io_getevents", "io_pgetevents", "io_pgetevents_time64", "io_setup", "io_submit",
        "io_uring_enter", "io_uring_register", "io_uring_setup", "ioctl", "ioprio_get", "ioprio_set",
        "ipc",
        "kill",
        "landlock_add_rule", "landlock_create_ruleset", "landlock_restrict_self", "lchown", "lchown32",
        "lgetxattr", "link", "linkat", "listen", "listxattr", "llistxattr", "lremovexattr", "lseek",
        "lsetxattr", "lstat", "lstat64",
        "madvise", "membarrier", "memfd_create", "memfd_secret", "mincore", "mkdir", "mkdirat",
        "mknod", "mknodat", "mlock", "mlock2", "mlockall", "mmap", "mmap2", "modify_ldt", "mprotect",
        "mq_getsetattr", "mq_notify", "mq_open", "mq_timedreceive", "mq_timedreceive_time64",
        "mq_timedsend", "mq_timedsend_time64", "mq_unlink", "mremap", "msgctl", "msgget", "msgrcv",
        "msgsnd", "msync", "munlock", "munlockall", "munmap",
        "name_to_handle_at", "nanosleep", "newfstatat",
        "open", "openat", "openat2",
        "pause", "pidfd_open", "pidfd_send_signal", "pipe", "pipe2", "pkey_alloc", "pkey_free",
        "pkey_mprotect", "poll", "ppoll", "ppoll_time64", "prctl", "pread64", "preadv", "preadv2",
        "prlimit64", "process_mrelease", "process_vm_readv", "process_vm_writev", "pselect6",
        "pselect6_time64", "ptrace", "pwrite64", "pwritev", "pwritev2",
        "read", "readahead", "readlink", "readlinkat", "readv", "recv", "recvfrom", "recvmmsg",
        "recvmmsg_time64", "recvmsg", "remap_file_pages", "removexattr", "rename", "renameat",
        "renameat2", "restart_syscall", "rmdir", "rseq", "rt_sigaction", "rt_sigpending",
        "rt_sigprocmask", "rt_sigqueueinfo", "rt_sigreturn", "rt_sigsuspend", "rt_sigtimedwait",
        "rt_sigtimedwait_time64", "rt_tgsigqueueinfo",
        "sched_get_priority_max", "sched_get_priority_min", "sched_getaffinity", "sched_getattr",
        "sched_getparam", "sched_getscheduler", "sched_rr_get_interval",
        "sched_rr_get_interval_time64", "sched_setaffinity", "sched_setattr", "sched_setparam",
        "sched_setscheduler", "sched_yield", "seccomp", "select", "semctl", "semget", "semop",
        "semtimedop", "semtimedop_time64", "send", "sendfile", "sendfile64", "sendmmsg", "sendmsg",
        "sendto", "set_robust_list", "set_thread_area", "set_tid_address", "setfsgid", "setfsgid32",
        "setfsuid", "setfsuid32", "setgid", "setgid32", "setgroups", "setgroups32", "setitimer",
        "setpgid", "setpriority", "setregid", "setregid32", "setresgid", "setresgid32", "setresuid",
        "setresuid32", "setreuid", "setreuid32", "setrlimit", "setsid", "setsockopt", "setuid",
        "setuid32", "setxattr", "shmat", "shmctl", "shmdt", "shmget", "shutdown", "sigaltstack",
        "signalfd", "signalfd4", "sigprocmask", "sigreturn", "socketcall", "socketpair", "splice",
        "stat", "stat64", "statfs", "statfs64", "statx", "symlink", "symlinkat", "sync",
        "sync_file_range", "syncfs", "sysinfo",
        "tee", "tgkill", "time", "timer_create", "timer_delete", "timer_getoverrun", "timer_gettime",
        "timer_gettime64", "timer_settime", "timer_settime64", "timerfd_create", "timerfd_gettime",
        "timerfd_gettime64", "timerfd_settime", "timerfd_settime64", "times", "tkill", "truncate",
        "truncate64",
        "ugetrlimit", "umask", "uname", "unlink", "unlinkat", "utime", "utimensat", "utimensat_time64",
        "utimes",
        "vfork", "vmsplice",
        "wait4", "waitid", "waitpid", "write", "writev",
    ]
}
