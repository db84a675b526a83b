// Creating container processes: the init (sl_spawn_container) and processes started inside a
// running container (sl_spawn_exec).
//
// Parent <-> child protocol (one CLOEXEC pipe, `error_fd` is its write end in the child):
//
//   child writes                                 parent reads it as
//   -------------------------------------------  ---------------------------------------------
//   nothing, then execve succeeds (EOF)          the process runs
//   {stage, errno, index, 0}, then _exit(127)    "<stage sentence> failed: <strerror(errno)>"
//   {SL_STAGE_NONE, 0, pid, 0}  (exec only)      the pid of the process forked into the pid ns
//
// The parent is a multithreaded Swift program, so the child only runs code from this target
// and only async-signal-safe code: it inherits a copy of the parent's memory in which another
// thread may have held the malloc lock. The parent blocks all signals around clone so that no
// Swift/Dispatch handler runs in the child before it resets them.
#include "child.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

void sl__die(int error_fd, int stage, int err, int index) {
    struct sl_child_error e = {.stage = stage, .err = err, .index = index, .pad = 0};
    if (error_fd >= 0) {
        ssize_t n;
        do { n = write(error_fd, &e, sizeof e); } while (n < 0 && errno == EINTR);
    }
    _exit(127);
}

void sl__reset_signals(void) {
    struct sigaction dfl;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    for (int sig = 1; sig < _NSIG; sig++) {
        if (sig == SIGKILL || sig == SIGSTOP) continue;
        // Raw syscall: glibc refuses its two internal signals, the kernel does not care.
        (void)syscall(SYS_rt_sigaction, sig, &dfl, NULL, _NSIG / 8);
    }
    sigset_t empty;
    sigemptyset(&empty);
    (void)syscall(SYS_rt_sigprocmask, SIG_SETMASK, &empty, NULL, _NSIG / 8);
}

static void join_cgroups(const struct sl_spawn_config *cfg, int extra_procs_fd) {
    for (int i = 0; i < cfg->n_procs_fds; i++) {
        if (write(cfg->procs_fds[i], "0", 1) != 1) sl__die(cfg->error_fd, SL_STAGE_CGROUP_JOIN, errno, i);
    }
    if (extra_procs_fd >= 0 && write(extra_procs_fd, "0", 1) != 1)
        sl__die(cfg->error_fd, SL_STAGE_CGROUP_JOIN, errno, -1);
}

// The container's init, from the first instruction after clone to execve.
__attribute__((noreturn)) static void init_main(const struct sl_spawn_config *cfg, int v2_procs_fd) {
    int efd = cfg->error_fd;
    sl__reset_signals();
    // The container must not outlive the runtime that watches it (pdeathsig survives execve).
    if (cfg->die_with_parent && prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0)
        sl__die(efd, SL_STAGE_PDEATHSIG, errno, -1);
    // v1 controllers (hybrid hosts) and the clone(2) fallback join by writing to cgroup.procs.
    join_cgroups(cfg, v2_procs_fd);
    for (int i = 0; i < cfg->n_ns_joins; i++) {
        if (setns(cfg->ns_joins[i].fd, cfg->ns_joins[i].nstype) < 0)
            sl__die(efd, SL_STAGE_SETNS, errno, i);
    }
    // A cgroup namespace made after joining every hierarchy has the container's cgroup as root.
    if (cfg->new_cgroupns && unshare(CLONE_NEWCGROUP) < 0) sl__die(efd, SL_STAGE_UNSHARE_CGROUPNS, errno, -1);
    if (setsid() < 0) sl__die(efd, SL_STAGE_SETSID, errno, -1);
    if (cfg->loopback_up) {
        int r = sl__loopback_up();
        if (r < 0) sl__die(efd, SL_STAGE_LOOPBACK, -r, -1);
    }
    if (cfg->hostname && sethostname(cfg->hostname, sl__strlen(cfg->hostname)) < 0)
        sl__die(efd, SL_STAGE_HOSTNAME, errno, -1);
    if (cfg->domainname && setdomainname(cfg->domainname, sl__strlen(cfg->domainname)) < 0)
        sl__die(efd, SL_STAGE_DOMAINNAME, errno, -1);
    if (cfg->rootfs) sl__setup_rootfs(cfg);   // ends inside the new root (writes sysctls too)
    sl__finish_process(&cfg->process, efd);
}

static long raw_clone3(struct clone_args *args) { return syscall(SYS_clone3, args, sizeof *args); }

static int clone_init(const struct sl_spawn_config *cfg, uint64_t ns_flags, struct sl_spawn_result *out);

// Joining a pid namespace (Kubernetes pods sharing one): setns(CLONE_NEWPID) changes only the
// namespace this thread's future children are born in, so it is done here, around clone, on
// the calling thread alone, and undone with the thread's own (still active) pid namespace.
int sl_spawn_container(const struct sl_spawn_config *cfg, struct sl_spawn_result *out) {
    if (!cfg->has_pidns_join) return clone_init(cfg, cfg->clone_flags, out);
    int own = open("/proc/thread-self/ns/pid", O_RDONLY | O_CLOEXEC);
    if (own < 0) return -errno;
    if (setns(cfg->pidns_join_fd, CLONE_NEWPID) < 0) {
        int e = errno;
        close(own);
        return -e;
    }
    // CLONE_NEWPID would make a namespace nested in the joined one instead.
    int r = clone_init(cfg, cfg->clone_flags & ~(uint64_t)CLONE_NEWPID, out);
    if (setns(own, CLONE_NEWPID) < 0) {
        // Leaving this thread's children in the container's namespace would be worse than failing
        // loudly: later containers started from this thread would land there too.
        int e = errno;
        close(own);
        if (r == 0) {
            (void)syscall(SYS_pidfd_send_signal, out->pidfd, SIGKILL, NULL, 0);
            if (!cfg->clone_parent) (void)waitpid(out->pid, NULL, __WALL);   // not our child with CLONE_PARENT
            close(out->pidfd);
        }
        return -e;
    }
    close(own);
    return r;
}

static int clone_init(const struct sl_spawn_config *cfg, uint64_t ns_flags, struct sl_spawn_result *out) {
    int pidfd = -1;
    struct clone_args args;
    memset(&args, 0, sizeof args);
    args.flags = ns_flags | CLONE_PIDFD | (cfg->clone_parent ? CLONE_PARENT : 0);
    args.pidfd = (uint64_t)(uintptr_t)&pidfd;
    // With CLONE_PARENT the child signals our parent as we would (clone3 refuses an exit_signal).
    args.exit_signal = cfg->clone_parent ? 0 : SIGCHLD;
    if (cfg->cgroup_fd >= 0) {
        args.flags |= CLONE_INTO_CGROUP;
        args.cgroup = (uint64_t)cfg->cgroup_fd;
    }
    long pid = raw_clone3(&args);
    if (pid == 0) init_main(cfg, -1);
    if (pid < 0 && (errno == ENOSYS || errno == E2BIG)) {
        // Kernels before 5.7 (no clone3 cgroup support): clone(2), then the child joins the v2
        // cgroup itself through cgroup.procs before anything else.
        int procs = -1;
        if (cfg->cgroup_fd >= 0) {
            procs = openat(cfg->cgroup_fd, "cgroup.procs", O_WRONLY | O_CLOEXEC);
            if (procs < 0) return -errno;
        }
        pid = syscall(SYS_clone, (unsigned long)(ns_flags | CLONE_PIDFD | (cfg->clone_parent ? CLONE_PARENT : 0) | SIGCHLD),
                      0, &pidfd, 0, 0);
        if (pid == 0) init_main(cfg, procs);
        int saved = errno;
        if (procs >= 0) close(procs);
        errno = saved;
    }
    if (pid < 0) return -errno;
    out->pid = (pid_t)pid;
    out->pidfd = pidfd;
    return 0;
}

// --- exec into a running container -------------------------------------------------------------

// Exec into a nested pid namespace: a new pid namespace can only be made from inside its parent,
// so this process (already in the container's) unshares one and forks its init. It stays as a
// relay: it passes the init's exit status on as its own, and the init has PDEATHSIG, so killing
// this process kills the init and with it everything in the nested namespace.
// Returns only in the nested init.
static void relay_nested_init(const struct sl_spawn_config *cfg) {
    int efd = cfg->error_fd;
    if (unshare(CLONE_NEWPID) < 0) sl__die(efd, SL_STAGE_FORK, errno, -1);
    long pid = syscall(SYS_clone, (unsigned long)SIGCHLD, 0, 0, 0, 0);
    if (pid < 0) sl__die(efd, SL_STAGE_FORK, errno, -1);
    if (pid == 0) {
        if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0) sl__die(efd, SL_STAGE_PDEATHSIG, errno, -1);
        return;   // continue as the process to execute
    }
    // The relay holds no channel to the runtime: EOF on the error pipe must come from the init.
    (void)syscall(SYS_close_range, 3, ~0U, 0);
    int status = 0;
    while (waitpid((pid_t)pid, &status, 0) < 0 && errno == EINTR) {}
    if (WIFEXITED(status)) _exit(WEXITSTATUS(status));
    int sig = WTERMSIG(status);
    struct sigaction dfl;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    (void)syscall(SYS_rt_sigaction, sig, &dfl, NULL, _NSIG / 8);
    (void)kill(getpid(), sig);
    _exit(128 + sig);
}

// The process that ends up inside the container: it is forked by the intermediate with
// CLONE_PARENT, so it is the caller's child and enters the container's pid namespace.
__attribute__((noreturn)) static void exec_main(const struct sl_spawn_config *cfg) {
    if (cfg->process.new_pidns) relay_nested_init(cfg);
    if (cfg->process.terminal) {
        if (setsid() < 0) sl__die(cfg->error_fd, SL_STAGE_SETSID, errno, -1);
        int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (root < 0) sl__die(cfg->error_fd, SL_STAGE_CONSOLE, errno, -1);
        sl__setup_console(root, cfg->console_socket_fd, 0, cfg->error_fd);
        close(root);
    }
    sl__finish_process(&cfg->process, cfg->error_fd);
}

// The intermediate: joins cgroups and namespaces, forks the real process, reports its pid.
__attribute__((noreturn)) static void intermediate_main(const struct sl_spawn_config *cfg, int target_pidfd,
                                                        int v2_procs_fd) {
    int efd = cfg->error_fd;
    sl__reset_signals();
    join_cgroups(cfg, v2_procs_fd);
    // One setns with a pidfd enters all the namespaces atomically (Linux 5.8).
    int nstypes = CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET | CLONE_NEWPID | CLONE_NEWCGROUP;
    if (setns(target_pidfd, nstypes) < 0) sl__die(efd, SL_STAGE_SETNS, errno, -1);
    long pid = syscall(SYS_clone, (unsigned long)(CLONE_PARENT | SIGCHLD), 0, 0, 0, 0);
    if (pid < 0) sl__die(efd, SL_STAGE_FORK, errno, -1);
    if (pid == 0) {
        if (cfg->die_with_parent && prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0)
            sl__die(efd, SL_STAGE_PDEATHSIG, errno, -1);
        exec_main(cfg);
    }
    struct sl_child_error msg = {.stage = SL_STAGE_NONE, .err = 0, .index = (int32_t)pid, .pad = 0};
    if (write(efd, &msg, sizeof msg) != (ssize_t)sizeof msg) _exit(126);
    _exit(0);
}

int sl_spawn_exec(const struct sl_spawn_config *cfg, int target_pidfd, struct sl_spawn_result *out) {
    struct clone_args args;
    memset(&args, 0, sizeof args);
    args.exit_signal = SIGCHLD;
    if (cfg->cgroup_fd >= 0) {
        args.flags |= CLONE_INTO_CGROUP;
        args.cgroup = (uint64_t)cfg->cgroup_fd;
    }
    long pid = raw_clone3(&args);
    if (pid == 0) intermediate_main(cfg, target_pidfd, -1);
    if (pid < 0 && (errno == ENOSYS || errno == E2BIG)) {
        int procs = -1;
        if (cfg->cgroup_fd >= 0) {
            procs = openat(cfg->cgroup_fd, "cgroup.procs", O_WRONLY | O_CLOEXEC);
            if (procs < 0) return -errno;
        }
        pid = syscall(SYS_clone, (unsigned long)SIGCHLD, 0, 0, 0, 0);
        if (pid == 0) intermediate_main(cfg, target_pidfd, procs);
        int saved = errno;
        if (procs >= 0) close(procs);
        errno = saved;
    }
    if (pid < 0) return -errno;
    // The intermediate exits right after forking; reap it so no zombie is left.
    int status = 0;
    while (waitpid((pid_t)pid, &status, __WALL) < 0 && errno == EINTR) {}
    out->pid = (pid_t)pid;    // the caller replaces this with the pid read from the pipe
    out->pidfd = -1;
    return 0;
}
