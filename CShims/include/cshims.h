// swiftlet C core: the mechanism Swift cannot do safely.
//
// Rules for everything in this target:
//  - every exported symbol starts with `sl_`;
//  - functions return 0 (or a non-negative value) on success and -errno on failure;
//  - no global state;
//  - code that runs in a child between clone and execve (spawn.c, mounts.c, caps.c, ns.c) is
//    async-signal-safe: no malloc, no stdio, no locks. The parent prepares every buffer first.
#ifndef SWIFTLET_CSHIMS_H
#define SWIFTLET_CSHIMS_H

#include <stdint.h>
#include <stddef.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

// ---------------------------------------------------------------------------------------------
// Child → parent error report. The child writes one of these to a CLOEXEC pipe when a step
// fails and exits 127; EOF without a report means execve succeeded.
// ---------------------------------------------------------------------------------------------
enum sl_stage {
    SL_STAGE_NONE = 0,
    SL_STAGE_SIGNALS,          // resetting signal dispositions / mask
    SL_STAGE_CGROUP_JOIN,      // writing to a cgroup.procs fd (v1 controllers, or clone fallback)
    SL_STAGE_SETNS,            // joining a namespace by fd (index = namespace index)
    SL_STAGE_UNSHARE_CGROUPNS, // unshare(CLONE_NEWCGROUP) after joining cgroups
    SL_STAGE_PDEATHSIG,
    SL_STAGE_SETSID,
    SL_STAGE_PROPAGATION,      // making / private (or rootfsPropagation)
    SL_STAGE_ROOTFS_BIND,      // bind-mounting the rootfs onto itself
    SL_STAGE_ROOTFS_OPEN,      // opening the rootfs directory
    SL_STAGE_MOUNT_TARGET,     // resolving/creating a mount target inside the rootfs (index = mount)
    SL_STAGE_MOUNT,            // mounting (index = mount)
    SL_STAGE_MOUNT_ATTR,       // applying ro/nosuid/... or propagation to a mount (index = mount)
    SL_STAGE_DEVICE,           // creating a device node (index = device)
    SL_STAGE_DEV_SYMLINK,      // creating /dev symlinks (fd, stdin, ptmx, ...)
    SL_STAGE_CONSOLE,          // allocating the pty / sending its master / setting up /dev/console
    SL_STAGE_PIVOT_ROOT,
    SL_STAGE_DETACH_OLD_ROOT,
    SL_STAGE_MASK_PATH,        // masking a path (index = masked path)
    SL_STAGE_READONLY_PATH,    // remounting a path read-only (index = readonly path)
    SL_STAGE_ROOTFS_READONLY,
    SL_STAGE_LOOPBACK,         // bringing lo up in a new network namespace
    SL_STAGE_HOSTNAME,
    SL_STAGE_DOMAINNAME,
    SL_STAGE_SYSCTL,           // writing a sysctl (index = sysctl)
    SL_STAGE_RLIMIT,           // setting an rlimit (index = rlimit)
    SL_STAGE_CWD,              // entering the working directory (checked to be inside the root)
    SL_STAGE_CAP_BOUNDING,
    SL_STAGE_KEEPCAPS,
    SL_STAGE_SETGROUPS,
    SL_STAGE_SETGID,
    SL_STAGE_SETUID,
    SL_STAGE_CAPSET,
    SL_STAGE_CAP_AMBIENT,
    SL_STAGE_NO_NEW_PRIVS,
    SL_STAGE_OOM_SCORE,
    SL_STAGE_SECCOMP,
    SL_STAGE_CLOSE_FDS,
    SL_STAGE_EXEC,
    SL_STAGE_FORK,             // exec: the second fork that enters the pid namespace
    SL_STAGE_READY,            // not a failure: set-up is done, the init waits for `start` (exec fifo)
    SL_STAGE_HOOKS,            // not a failure: mounts are done, the init waits before pivot_root for
                               // the runtime to run createRuntime and createContainer hooks
    SL_STAGE_COUNT
};

struct sl_child_error {
    int32_t stage;   // enum sl_stage
    int32_t err;     // errno
    int32_t index;   // which mount / device / path / rlimit, or -1
    int32_t pad;
};

// ---------------------------------------------------------------------------------------------
// The plan the parent prepares for the child. All pointers stay valid in the child (it is a
// copy-on-write clone of the parent's memory). Paths inside the container are absolute
// ("/proc"); they are resolved under the rootfs with RESOLVE_IN_ROOT, never by string.
// ---------------------------------------------------------------------------------------------
enum sl_mount_kind {
    SL_MOUNT_FS = 0,     // a new filesystem instance: fsopen(fstype) + fsconfig(options) + fsmount
    SL_MOUNT_BIND = 1,   // a bind of a host path: open_tree(source, OPEN_TREE_CLONE [|AT_RECURSIVE])
};

// Mount attributes applied through fsmount / mount_setattr (MOUNT_ATTR_* values from linux/mount.h).
struct sl_mount {
    int32_t kind;                   // enum sl_mount_kind
    int32_t recursive;              // rbind
    const char *source;             // SL_MOUNT_BIND: absolute host path (resolved by the parent);
                                    // SL_MOUNT_FS: the mount's source ("proc", "shm"), or NULL
    const char *fstype;             // SL_MOUNT_FS: "proc", "tmpfs", "sysfs", "devpts", "mqueue", "cgroup2", ...
    const char *target;             // absolute path inside the container
    const char *const *options;     // SL_MOUNT_FS: key, value, key, value, ..., NULL; value NULL = flag
    uint64_t attr_set;              // MOUNT_ATTR_RDONLY | NOSUID | NODEV | NOEXEC | atime bits
    uint64_t attr_clr;
    uint64_t propagation;           // 0, or MS_PRIVATE / MS_SLAVE / MS_SHARED / MS_UNBINDABLE
    int32_t target_is_file;         // create the target as an empty file, not a directory
    int32_t pad;
};

struct sl_device {
    const char *path;     // absolute, under /dev
    uint32_t mode;        // S_IFCHR / S_IFBLK | permission bits
    uint32_t major, minor;
    uint32_t uid, gid;
};

struct sl_rlimit {
    int32_t resource;     // RLIMIT_*
    int32_t pad;
    uint64_t soft, hard;  // already checked by the parent against the caller's hard limit
};

struct sl_sysctl {
    const char *path;     // "/proc/sys/net/ipv4/ip_forward" form, resolved inside the container
    const char *value;
};

// Namespaces to join by fd (opened by the parent from config paths).
struct sl_ns_join {
    int32_t fd;
    int32_t nstype;       // CLONE_NEWNET, ...
};

struct sl_caps {
    uint64_t bounding, effective, permitted, inheritable, ambient;
    int32_t last_cap;     // highest capability number the kernel knows (from /proc/sys/kernel/cap_last_cap)
    int32_t pad;
};

struct sl_process {
    const char *path;              // executable as given (resolved in the container by execvpe semantics)
    const char *const *argv;       // NULL-terminated
    const char *const *envp;       // NULL-terminated
    const char *cwd;               // absolute path inside the container
    uint32_t uid, gid;
    const uint32_t *additional_gids;
    int32_t n_additional_gids;
    int32_t no_new_privileges;
    struct sl_caps caps;
    const struct sl_rlimit *rlimits;
    int32_t n_rlimits;
    int32_t oom_score_adj_set;
    int32_t oom_score_adj;
    int32_t terminal;              // allocate a pty inside the container
    const void *seccomp_filter;    // struct sock_filter[], compiled by sl_seccomp_*; NULL = none
    uint32_t seccomp_len;          // number of sock_filter instructions
    uint32_t seccomp_flags;        // SECCOMP_FILTER_FLAG_* (e.g. SPEC_ALLOW / LOG)
    int32_t preserve_fds;          // keep fds 3 .. 3+preserve_fds-1 open across exec
    uint32_t umask;                // process.user.umask (0022 by default)
    int32_t stdio_fds[3];          // fds to become 0, 1, 2 (-1: keep the inherited one)
    int32_t new_pidns;             // exec only: the process is init of a nested pid namespace, so
                                   // killing it kills every process it started (probe timeouts)
    int32_t exec_by_fd;            // execveat(exec_fd, "", AT_EMPTY_PATH) instead of searching PATH
    int32_t exec_fd;               //   (hooks whose path resolves in the runtime's mount namespace)
    int32_t wait_start;            // `create`: once everything is set up, report SL_STAGE_READY and
    int32_t start_fd;              //   block reading start_fd (runc's exec fifo) until `start` writes
};

struct sl_spawn_config {
    // cgroups: v2 directory fd for CLONE_INTO_CGROUP (-1 = none), and cgroup.procs fds the child
    // writes "0" to before anything else (v1 controllers on hybrid hosts; v2 when clone3 is missing).
    int32_t cgroup_fd;
    int32_t n_procs_fds;
    const int32_t *procs_fds;

    // namespaces: clone flags for new ones, fds for joined ones (joined before anything else).
    uint64_t clone_flags;          // CLONE_NEWPID | CLONE_NEWNS | ... (never CLONE_NEWCGROUP: see below)
    int32_t new_cgroupns;          // unshare(CLONE_NEWCGROUP) after joining the cgroups
    int32_t n_ns_joins;
    const struct sl_ns_join *ns_joins;
    // A pid namespace to start the init in (linux.namespaces pid with a path). setns(CLONE_NEWPID)
    // only moves future children, so the parent does it around clone. 0 = none: Swift zero-inits.
    int32_t has_pidns_join;
    int32_t pidns_join_fd;

    // root filesystem
    const char *rootfs;            // absolute host path, symlinks already resolved by the parent
    int32_t rootfs_readonly;
    int32_t pad0;
    // Optional overlay over the rootfs (one per container instance): the image stays the lower
    // layer, never written; mounted inside the container's mount namespace only.
    const char *rootfs_upper;      // NULL = bind the rootfs as it is
    const char *rootfs_work;
    uint64_t rootfs_propagation;   // MS_PRIVATE (default), MS_SLAVE, MS_SHARED, MS_UNBINDABLE (recursive)
    const struct sl_mount *mounts;
    int32_t n_mounts;
    int32_t n_devices;
    const struct sl_device *devices;
    int32_t setup_dev;             // /dev is a tmpfs we own: create devices, symlinks, ptmx
    int32_t loopback_up;           // bring lo up (new network namespace)
    const char *const *masked_paths;
    int32_t n_masked_paths;
    int32_t n_readonly_paths;
    const char *const *readonly_paths;
    const struct sl_sysctl *sysctls;
    int32_t n_sysctls;
    int32_t die_with_parent;       // PR_SET_PDEATHSIG(SIGKILL): the container dies with this thread
    int32_t clone_parent;          // CLONE_PARENT: the init is our parent's child (swiftlet-keeper's), not ours

    const char *hostname;          // NULL = leave as is
    const char *domainname;

    struct sl_process process;

    // channels to the parent
    int32_t error_fd;              // write end of the CLOEXEC error pipe
    int32_t console_socket_fd;     // unix socket to send the pty master over (terminal), or -1
    int32_t hooks_sync;            // stop before pivot_root: report SL_STAGE_HOOKS, then read one byte
    int32_t hooks_fd;              //   from hooks_fd (EOF: the runtime gave up, so exit)
};

struct sl_spawn_result {
    pid_t pid;
    int32_t pidfd;
};

// Clone a container init as configured and return in the parent. clone3(CLONE_INTO_CGROUP |
// CLONE_PIDFD | namespaces), falling back to clone(2) + cgroup.procs where clone3 is missing.
// The caller blocks signals around this call (sl_signals_block_all) and restores them after.
int sl_spawn_container(const struct sl_spawn_config *cfg, struct sl_spawn_result *out);

// Start a process inside a running container (exec): a child joins the container's cgroup and
// namespaces through `target_pidfd` (setns with a pidfd), then forks the real process as a child
// of the caller (CLONE_PARENT) so it lands in the container's pid namespace. Only the process,
// procs_fds, cgroup_fd, error_fd, console_socket_fd and die_with_parent fields of cfg are used.
// The new process's pid is returned; the intermediate is reaped here.
int sl_spawn_exec(const struct sl_spawn_config *cfg, int target_pidfd, struct sl_spawn_result *out);

// A pod sandbox (the kubelet's pause container): a process that holds new network, uts and ipc
// namespaces for as long as it lives, with `lo` up and the hostname set. Containers of the pod
// join them through /proc/<pid>/ns/*. It blocks every signal but SIGKILL, runs no program and
// holds no fd but stdio (on /dev/null). die_with_parent: it dies with the calling thread.
// host_network (hostNetwork pods): only a new ipc namespace; network and uts stay the host's.
int sl_sandbox_spawn(const char *hostname, int host_network, int die_with_parent, int clone_parent,
                     struct sl_spawn_result *out);
// The same; new_pid (shareProcessNamespace): the pause process is also pid 1 of a new pid
// namespace that the pod's containers join, and reaps the orphans it inherits there.
int sl_sandbox_spawn_pid(const char *hostname, int host_network, int new_pid, int die_with_parent, int clone_parent,
                         struct sl_spawn_result *out);

// ---------------------------------------------------------------------------------------------
// Small syscall wrappers for the Swift side (each returns 0 / fd / value, or -errno).
// ---------------------------------------------------------------------------------------------
int sl_pidfd_open(pid_t pid);
int sl_pidfd_send_signal(int pidfd, int sig);
// Wait for a child by pidfd. Returns 0 and fills status (wait status as in waitpid) or -errno.
// nohang: return -EAGAIN when it has not exited yet.
int sl_pidfd_wait(int pidfd, int nohang, int *status);
int sl_signals_block_all(void *oldset_out /* sigset_t, 128 bytes */);
int sl_signals_restore(const void *oldset /* sigset_t */);
// A signalfd for every catchable signal (caller has blocked them). Read with sl_signalfd_read.
int sl_signalfd_all(void);
int sl_signalfd_read(int fd);      // returns the signal number or -errno
int sl_set_dumpable(int on);
int sl_get_dumpable(void);
int sl_set_child_subreaper(void);
int sl_clear_child_subreaper(void);
int sl_cap_last_cap(void);         // highest capability number, from /proc/sys/kernel/cap_last_cap
int sl_cap_from_name(const char *name); // "CAP_CHOWN" or "chown" -> number, or -EINVAL (libcap)
int sl_close_range_cloexec(unsigned int first);
int sl_pipe_cloexec(int fds[2]);
int sl_socketpair_cloexec(int fds[2]);
int sl_recv_fd(int sock);          // receive one fd sent with SCM_RIGHTS
int sl_getrlimit(int resource, uint64_t *soft, uint64_t *hard);
int sl_open_ns_path(const char *path); // O_RDONLY|O_CLOEXEC open of a namespace file, checks it is nsfs
int sl_setns(int fd, int nstype);
// epoll for the supervisor's watcher thread (hidden from Swift's Glibc module by _GNU_SOURCE).
int sl_epoll_create(void);
int sl_epoll_add(int epfd, int fd);     // EPOLLIN | EPOLLHUP | EPOLLERR, level-triggered
int sl_epoll_del(int epfd, int fd);
int sl_epoll_wait(int epfd, int *ready_fds, int max, int timeout_ms);   // count of ready fds
int sl_eventfd(void);   // the calling thread joins the namespace (net: per thread)
int sl_ns_type(int fd);            // NS_GET_NSTYPE -> CLONE_NEW*, or -errno
// Terminal helpers for `run` with process.terminal: raw mode and window size copying.
int sl_tty_make_raw(int fd, void *saved /* struct termios, 64 bytes */);
int sl_tty_restore(int fd, const void *saved);
int sl_tty_copy_winsize(int from_fd, int to_fd);

// ---------------------------------------------------------------------------------------------
// seccomp (parent side; libseccomp): build a filter, then export it as a BPF program that the
// child loads with prctl(PR_SET_SECCOMP). Actions are SCMP_ACT_* values from seccomp.h.
// ---------------------------------------------------------------------------------------------
typedef struct sl_seccomp sl_seccomp;
struct sl_seccomp_arg {
    uint32_t index;       // argument number 0..5
    uint32_t op;          // enum scmp_compare (SCMP_CMP_EQ, ...)
    uint64_t value;
    uint64_t value_two;
};
// Returns NULL with *err set on failure.
sl_seccomp *sl_seccomp_new(uint32_t default_action, int *err);
int sl_seccomp_add_arch(sl_seccomp *f, const char *arch_name);      // "SCMP_ARCH_X86_64" or "x86_64"
// Returns -EDOM for a syscall name the library does not know on any arch (callers skip those,
// as runc does for names newer than libseccomp).
int sl_seccomp_add_rule(sl_seccomp *f, const char *syscall, uint32_t action,
                        const struct sl_seccomp_arg *args, uint32_t n_args);
// Export the program: *out points to malloc'd struct sock_filter[]; *len is the instruction count.
int sl_seccomp_export(sl_seccomp *f, void **out, uint32_t *len);
void sl_seccomp_free(sl_seccomp *f);
uint32_t sl_seccomp_act_errno(uint32_t err);   // SCMP_ACT_ERRNO(err)
uint32_t sl_seccomp_act_trace(uint32_t msg);   // SCMP_ACT_TRACE(msg)
uint32_t sl_seccomp_act_allow(void);
uint32_t sl_seccomp_act_kill_thread(void);
uint32_t sl_seccomp_act_kill_process(void);
uint32_t sl_seccomp_act_trap(void);
uint32_t sl_seccomp_act_log(void);
// Apply a prepared program to the calling thread (used by tests; the child uses the same code).
int sl_seccomp_load(const void *filter, uint32_t len, uint32_t flags);
// Tests only: fork; in the child set no_new_privs, load the filter and make syscall(sysno, a0, a1, a2).
// Returns the errno it failed with (0 = it succeeded), 256 + signal if the filter killed the
// child (KILL_*, TRAP), or -errno if the probe itself could not run.
int sl_seccomp_probe(const void *filter, uint32_t len, long sysno, long a0, long a1, long a2);
// What an exported program depends on besides the profile: libseccomp's version, the native
// architecture (AUDIT_ARCH_* token, always in the filter) and the kernel API level libseccomp
// detected (it decides which actions rules may use). Keys the on-disk cache of programs.
struct sl_seccomp_build {
    uint32_t major, minor, micro;
    uint32_t native_arch;
    uint32_t api_level;
};
void sl_seccomp_build_identity(struct sl_seccomp_build *out);

// ---------------------------------------------------------------------------------------------
// cgroup v2 device controller: a BPF_PROG_TYPE_CGROUP_DEVICE program built from OCI rules,
// evaluated like the v1 devices controller (later rules override earlier ones; default deny).
// ---------------------------------------------------------------------------------------------
struct sl_device_rule {
    int32_t allow;        // 1 allow, 0 deny
    char type;            // 'a' all, 'c' char, 'b' block
    char pad[3];
    int64_t major;        // -1 = any
    int64_t minor;        // -1 = any
    uint32_t access;      // bit 1 = mknod (m), 2 = read (r), 4 = write (w)
    uint32_t pad2;
};
// Loads the program and attaches it to the cgroup directory fd (BPF_F_ALLOW_MULTI is not used:
// the container's cgroup holds exactly one device program). Returns the program fd or -errno.
int sl_devices_bpf_attach(int cgroup_dirfd, const struct sl_device_rule *rules, uint32_t n_rules);

#ifdef __cplusplus
}
#endif
#endif
