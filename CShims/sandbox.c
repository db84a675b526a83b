// The pod sandbox: a pause process that holds the pod's network, uts and ipc namespaces, the
// way the kubelet's pause container does. Containers of the pod join its namespaces by path
// (/proc/<pid>/ns/net, ...), so a restarted container comes back to the same network namespace
// and keeps its address. Nothing is mounted on the host: the namespaces live exactly as long as
// this process.
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

// As pid 1 of the pod's own pid namespace (shareProcessNamespace), the pause process inherits
// every orphan of the pod's containers and must reap them, as the kubelet's pause does
// (pause.c: sigreap): SIGCHLD stays blocked and is taken with sigwaitinfo, then every exited
// child is reaped. A blocked signal is queued even for a namespace's init.
__attribute__((noreturn)) static void reap_forever(void) {
    sigset_t chld;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    for (;;) {
        siginfo_t info;
        if (sigwaitinfo(&chld, &info) < 0) continue;
        while (waitpid(-1, NULL, WNOHANG) > 0) {}
    }
}

__attribute__((noreturn)) static void pause_main(const char *hostname, int host_network, int new_pid, int die_with_parent,
                                                 int error_fd) {
    sl__reset_signals();
    if (die_with_parent && prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0) sl__die(error_fd, SL_STAGE_PDEATHSIG, errno, -1);
    if (setsid() < 0) sl__die(error_fd, SL_STAGE_SETSID, errno, -1);
    // On the host's network (and so its uts namespace, as the kubelet does) there is nothing to set up.
    if (!host_network) {
        int r = sl__loopback_up();
        if (r < 0) sl__die(error_fd, SL_STAGE_LOOPBACK, -r, -1);
        if (hostname && sethostname(hostname, sl__strlen(hostname)) < 0) sl__die(error_fd, SL_STAGE_HOSTNAME, errno, -1);
    }
    int null = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (null < 0) sl__die(error_fd, SL_STAGE_CLOSE_FDS, errno, -1);
    for (int fd = 0; fd < 3; fd++) dup2(null, fd);
    // Everything else goes, the error pipe last: its EOF tells the parent we are ready.
    (void)syscall(SYS_close_range, 3, ~0U, 0);
    sigset_t all;
    sigfillset(&all);
    (void)syscall(SYS_rt_sigprocmask, SIG_SETMASK, &all, NULL, _NSIG / 8);
    if (new_pid) reap_forever();
    for (;;) pause();
}

int sl_sandbox_spawn(const char *hostname, int host_network, int die_with_parent, int clone_parent,
                     struct sl_spawn_result *out) {
    return sl_sandbox_spawn_pid(hostname, host_network, 0, die_with_parent, clone_parent, out);
}

int sl_sandbox_spawn_pid(const char *hostname, int host_network, int new_pid, int die_with_parent, int clone_parent,
                         struct sl_spawn_result *out) {
    int pipefd[2];
    if (pipe2(pipefd, O_CLOEXEC) < 0) return -errno;
    int pidfd = -1;
    struct clone_args args;
    memset(&args, 0, sizeof args);
    args.flags = (host_network ? 0 : CLONE_NEWNET | CLONE_NEWUTS) | CLONE_NEWIPC | CLONE_PIDFD | (clone_parent ? CLONE_PARENT : 0) |
                 (new_pid ? CLONE_NEWPID : 0);
    args.pidfd = (uint64_t)(uintptr_t)&pidfd;
    // With CLONE_PARENT the child signals our parent as we would (clone3 refuses an exit_signal).
    args.exit_signal = clone_parent ? 0 : SIGCHLD;
    sigset_t all, saved;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &saved);
    long pid = syscall(SYS_clone3, &args, sizeof args);
    if (pid == 0) {
        close(pipefd[0]);
        pause_main(hostname, host_network, new_pid, die_with_parent, pipefd[1]);
    }
    int saved_errno = errno;
    pthread_sigmask(SIG_SETMASK, &saved, NULL);
    close(pipefd[1]);
    if (pid < 0) {
        close(pipefd[0]);
        return -saved_errno;
    }
    // EOF: set up and holding. A report: it failed and exited.
    struct sl_child_error e;
    ssize_t n;
    do { n = read(pipefd[0], &e, sizeof e); } while (n < 0 && errno == EINTR);
    close(pipefd[0]);
    if (n == (ssize_t)sizeof e) {
        int status;
        // With CLONE_PARENT it is not our child (ECHILD): the keeper reaps it.
        (void)sl_pidfd_wait(pidfd, 0, &status);
        close(pidfd);
        return -(e.err ? e.err : EIO);
    }
    out->pid = (pid_t)pid;
    out->pidfd = pidfd;
    return 0;
}
