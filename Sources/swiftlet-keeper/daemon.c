// The daemon child: the Swift daemon runs as the keeper's child, so the containers it clones
// with CLONE_PARENT are the keeper's children too. The keeper starts it on request and never
// restarts it by itself (systemd or the user does).
//
// Child protocol: a CLOEXEC pipe; the child writes its errno there if execve fails and exits
// 127. EOF without a word means the exec happened.
#include "keeper.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

// The kernel's struct sigaction (x86_64 and most others; glibc's own has a 128-byte mask).
struct kernel_sigaction {
    void *handler;
    unsigned long flags;
    void *restorer;
    uint64_t mask;
};

// Every disposition back to SIG_DFL: the keeper ignores SIGPIPE, and ignored signals survive
// execve. Raw rt_sigaction, because glibc refuses its internal signals (32, 33), which a
// starter of the keeper may have left ignored too.
static void reset_signals(void) {
    struct kernel_sigaction dfl = {0};
    for (long s = 1; s <= 64; s++)
        if (s != SIGKILL && s != SIGSTOP) syscall(SYS_rt_sigaction, s, &dfl, NULL, sizeof dfl.mask);
    uint64_t none = 0;
    syscall(SYS_rt_sigprocmask, SIG_SETMASK, &none, NULL, sizeof none);
}

// Between fork and execve: raw system calls only.
static void __attribute__((noreturn)) child(char **argv, const int fds[3], int report) {
    reset_signals();
    // The received fds are >= 3 (0-2 are always open in the keeper), so no dup2 clobbers one.
    for (int i = 0; i < 3; i++)
        if (dup2(fds[i], i) < 0) goto fail;
    // Everything else goes: the report pipe is CLOEXEC and closes at execve.
    if (report > 3) close_range(3, (unsigned)report - 1, 0);
    close_range((unsigned)report + 1, ~0U, 0);
    setpgid(0, 0);
    // The keeper runs at -1000 so the OOM killer spares it; the daemon is an ordinary process.
    int oom = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
    if (oom >= 0) {
        (void)!write(oom, "0", 1);
        close(oom);
    }
    execve(argv[0], argv, environ);
fail:;
    int e = errno;
    (void)!write(report, &e, sizeof e);
    _exit(127);
}

pid_t daemon_start(struct keeper *k, char **argv, const int fds[3], char *err, size_t errlen) {
    if (k->daemon_pid > 0) {
        snprintf(err, errlen, "a daemon already runs on %s (pid %d)", k->root, (int)k->daemon_pid);
        return -1;
    }
    if (argv[0][0] != '/') {
        snprintf(err, errlen, "the daemon's executable must be an absolute path, not \"%.200s\"", argv[0]);
        return -1;
    }
    int report[2];
    if (pipe2(report, O_CLOEXEC) < 0) {
        snprintf(err, errlen, "cannot start the daemon: pipe: %s", strerror(errno));
        return -1;
    }
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(err, errlen, "cannot start the daemon: fork: %s", strerror(errno));
        close(report[0]);
        close(report[1]);
        return -1;
    }
    if (pid == 0) child(argv, fds, report[1]);
    close(report[1]);
    int e = 0;
    ssize_t n;
    while ((n = read(report[0], &e, sizeof e)) < 0 && errno == EINTR) {}
    close(report[0]);
    if (n == (ssize_t)sizeof e) {
        // It exits 127 at once; reaping it here keeps it out of the unknown ring.
        while (waitpid(pid, NULL, 0) < 0 && errno == EINTR) {}
        snprintf(err, errlen, "cannot execute %.1000s: %s", argv[0], strerror(e));
        return -1;
    }
    k->daemon_pid = pid;
    char text[16];
    int len = snprintf(text, sizeof text, "%d", (int)pid);
    int r = write_file_atomic(k->root_fd, "daemon.pid", text, (size_t)len);
    if (r < 0) klog(k, "cannot write daemon.pid: %s", strerror(-r));
    klog(k, "started the daemon %s (pid %d)", argv[0], (int)pid);
    return pid;
}

void daemon_exited(struct keeper *k, int status) {
    pid_t pid = k->daemon_pid;
    char what[96];
    klog(k, "the daemon (pid %d) exited: %s", (int)pid, describe_status(status, what, sizeof what));
    // Remove daemon.pid only while it still names this daemon.
    char text[16] = {0};
    int fd = openat(k->root_fd, "daemon.pid", O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd >= 0) {
        ssize_t n = read(fd, text, sizeof text - 1);
        close(fd);
        char mine[16];
        snprintf(mine, sizeof mine, "%d", (int)pid);
        if (n > 0 && strcmp(text, mine) == 0) unlinkat(k->root_fd, "daemon.pid", 0);
    }
    k->daemon_pid = 0;
    if (k->daemon_conn && !k->daemon_conn->dead) {
        char spid[16], sstatus[16];
        snprintf(spid, sizeof spid, "%d", (int)pid);
        snprintf(sstatus, sizeof sstatus, "%d", status);
        const char *f[] = {"daemon-exit", spid, sstatus};
        if (send_fields(k->daemon_conn->fd, f, 3) < 0)
            klog(k, "could not tell the daemon's starter of its exit: %s", strerror(errno));
    }
    k->daemon_conn = NULL;
}
