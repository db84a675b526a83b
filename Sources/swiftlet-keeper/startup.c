// Start-up: the root, the lock, the listening socket, signals, the process's own settings, and
// --detach's double fork with its readiness pipe.
#include "keeper.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

static int mkdir_p(const char *path, mode_t mode) {
    char buf[PATH_MAX];
    if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf) return -ENAMETOOLONG;
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/') continue;
        *p = 0;
        if (mkdir(buf, 0755) < 0 && errno != EEXIST) return -errno;
        *p = '/';
    }
    if (mkdir(buf, mode) < 0 && errno != EEXIST) return -errno;
    return 0;
}

// Another keeper holds the lock: its pid is in the lock file (written right after it locked).
static void refuse_locked(struct keeper *k, char *err, size_t errlen) {
    char pid[16] = "";
    ssize_t n = pread(k->lock_fd, pid, sizeof pid - 1, 0);
    pid[n > 0 ? n : 0] = 0;
    snprintf(err, errlen, "another keeper already holds %s (pid %s)", k->root, *pid ? pid : "unknown");
}

static int take_lock(struct keeper *k, char *err, size_t errlen) {
    k->lock_fd = openat(k->root_fd, "keeper.lock", O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (k->lock_fd < 0) {
        snprintf(err, errlen, "cannot open %s/keeper.lock: %s", k->root, strerror(errno));
        return -1;
    }
    if (flock(k->lock_fd, LOCK_EX | LOCK_NB) < 0) {
        if (errno == EWOULDBLOCK) refuse_locked(k, err, errlen);
        else snprintf(err, errlen, "cannot lock %s/keeper.lock: %s", k->root, strerror(errno));
        return -1;
    }
    char pid[16];
    int n = snprintf(pid, sizeof pid, "%d", (int)getpid());
    if (ftruncate(k->lock_fd, 0) < 0 || pwrite(k->lock_fd, pid, (size_t)n, 0) < 0) {}
    return 0;
}

static int listen_socket(struct keeper *k, char *err, size_t errlen) {
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    if (snprintf(a.sun_path, sizeof a.sun_path, "%s/keeper.sock", k->root) >= (int)sizeof a.sun_path) {
        snprintf(err, errlen, "%s/keeper.sock is longer than %zu bytes, the limit of a unix socket path",
                 k->root, sizeof a.sun_path - 1);
        return -1;
    }
    unlink(a.sun_path);  // a keeper that died left it; we hold the lock, so it is stale
    k->listen_fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (k->listen_fd < 0 || bind(k->listen_fd, (struct sockaddr *)&a, sizeof a) < 0 ||
        chmod(a.sun_path, 0600) < 0 || listen(k->listen_fd, 128) < 0) {
        snprintf(err, errlen, "cannot listen on %s: %s", a.sun_path, strerror(errno));
        return -1;
    }
    return 0;
}

// What every keeper image does for itself, fresh or upgraded.
static void harden(struct keeper *k) {
    if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0) klog(k, "cannot become a subreaper: %s", strerror(errno));
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    int fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
    if (fd < 0 || write(fd, "-1000", 5) < 0) klog(k, "cannot set oom_score_adj to -1000: %s", strerror(errno));
    if (fd >= 0) close(fd);
}

static int signals(struct keeper *k, char *err, size_t errlen) {
    // SIGCHLD must not be ignored (the kernel would reap for us and drop the status).
    signal(SIGCHLD, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    signal(SIGINT, SIG_DFL);
    signal(SIGPIPE, SIG_IGN);
    signal(SIGHUP, SIG_IGN);  // a closed terminal must not end what holds the containers
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGCHLD);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigprocmask(SIG_BLOCK, &set, NULL);
    k->signal_fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
    if (k->signal_fd < 0) {
        snprintf(err, errlen, "signalfd: %s", strerror(errno));
        return -1;
    }
    return 0;
}

int keeper_setup(struct keeper *k, int state_fd, char *err, size_t errlen) {
    int r = mkdir_p(k->root, 0700);
    k->root_fd = r < 0 ? -1 : open(k->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (k->root_fd < 0) {
        snprintf(err, errlen, "cannot create %s: %s", k->root, strerror(r < 0 ? -r : errno));
        return -1;
    }
    klog_open(k);
    if (state_fd < 0 && take_lock(k, err, errlen) < 0) return -1;
    harden(k);
    if (signals(k, err, errlen) < 0) return -1;
    if (mkdirat(k->root_fd, "exits", 0700) < 0 && errno != EEXIST) {}
    k->exits_fd = openat(k->root_fd, "exits", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    k->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
    if (k->exits_fd < 0 || k->epoll_fd < 0) {
        snprintf(err, errlen, "cannot open %s/exits: %s", k->root, strerror(errno));
        return -1;
    }
    if (state_fd >= 0) {
        if (upgrade_restore(k, state_fd, err, errlen) < 0) return -1;
        klog(k, "upgraded in place (pid %d): %zu entries, daemon pid %d", (int)getpid(), k->n_entries,
             (int)k->daemon_pid);
    } else {
        exit_records_load(k);
        if (listen_socket(k, err, errlen) < 0) return -1;
        klog(k, "started (pid %d) on %s", (int)getpid(), k->root);
    }
    if (epoll_watch(k, k->listen_fd, EPOLLIN, TAG_LISTEN) < 0 ||
        epoll_watch(k, k->signal_fd, EPOLLIN, TAG_SIGNAL) < 0) {
        snprintf(err, errlen, "epoll: %s", strerror(errno));
        return -1;
    }
    char pid[16];
    int n = snprintf(pid, sizeof pid, "%d", (int)getpid());
    r = write_file_atomic(k->root_fd, "keeper.pid", pid, (size_t)n);
    if (r < 0) {
        snprintf(err, errlen, "cannot write %s/keeper.pid: %s", k->root, strerror(-r));
        return -1;
    }
    reap_all(k);  // children that exited while an upgrade exec'd
    return 0;
}

// --detach: the original process waits on a pipe until the keeper (its grandchild) listens or
// explains why it cannot; it never returns. The keeper returns with the pipe's write end.
int keeper_detach(const char *root) {
    int p[2];
    if (pipe2(p, O_CLOEXEC) < 0) {
        fprintf(stderr, "swiftlet-keeper: pipe: %s\n", strerror(errno));
        exit(1);
    }
    pid_t a = fork();
    if (a < 0) {
        fprintf(stderr, "swiftlet-keeper: fork: %s\n", strerror(errno));
        exit(1);
    }
    if (a > 0) {
        close(p[1]);
        while (waitpid(a, NULL, 0) < 0 && errno == EINTR) {}
        char buf[2048];
        size_t len = 0;
        ssize_t n;
        while (len < sizeof buf && ((n = read(p[0], buf + len, sizeof buf - len)) > 0 || (n < 0 && errno == EINTR)))
            if (n > 0) len += (size_t)n;
        if (len == 1 && buf[0] == 'R') exit(0);
        if (len == 0) fprintf(stderr, "swiftlet-keeper: the keeper exited before it listened (see %s/keeper.log)\n", root);
        else fwrite(buf, 1, len, stderr);
        exit(1);
    }
    close(p[0]);
    setsid();
    pid_t b = fork();
    if (b < 0) {
        dprintf(p[1], "swiftlet-keeper: fork: %s\n", strerror(errno));
        _exit(1);
    }
    if (b > 0) _exit(0);
    int null = open("/dev/null", O_RDWR | O_CLOEXEC);
    for (int fd = 0; fd < 3; fd++) dup2(null, fd);
    if (null > 2) close(null);
    return p[1];
}
