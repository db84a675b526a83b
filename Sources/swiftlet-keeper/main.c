// swiftlet-keeper's command line, start-up and event loop. See keeper.h for what it is.
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

static const char help[] =
    "usage: swiftlet-keeper --root R [--detach] [--log-max BYTES]\n"
    "\n"
    "Holds swiftlet's containers while the swiftlet daemon is down or being upgraded. One keeper\n"
    "runs per state root. It is a child subreaper and starts the daemon as its own child; the\n"
    "daemon clones containers with CLONE_PARENT, so they are the keeper's children too. The\n"
    "keeper reaps them, keeps each raw wait status in R/exits/<id> until the daemon acks it,\n"
    "and drains their stdout/stderr pipes into CRI log files itself, so no writer blocks and no\n"
    "exit is lost while no daemon runs. It never restarts the daemon itself.\n"
    "\n"
    "  --root R           state root, created 0700 if missing (required)\n"
    "  --detach           double-fork, setsid, stdio to /dev/null; exit 0 once the socket\n"
    "                     listens, or 1 with the reason (e.g. another keeper holds R)\n"
    "  --log-max BYTES    rotate a container log to <path>.1 when it would pass this size\n"
    "                     (default 10485760)\n"
    "  --state-fd N       internal: the state an upgrading keeper hands to its new image\n"
    "  -h, --help         this text\n"
    "\n"
    "Files under R: keeper.lock (flock held for the keeper's life), keeper.pid, keeper.sock\n"
    "(SOCK_SEQPACKET, 0600, root only), keeper.log (its messages; keeper.log.1 past 1 MiB),\n"
    "exits/<id> (\"<raw wait status> <finished unix ns> <pid>\"), daemon.pid (while its\n"
    "daemon child lives).\n"
    "\n"
    "Requests on keeper.sock, one datagram of NUL-terminated fields each, protocol 1:\n"
    "  hello 1 | daemon PATH ARGS... (+ stdin, stdout, stderr fds) | hold ID PID LOGPATH (+ 0 or\n"
    "  2 fds: stdout, stderr) | subscribe | list | ack ID | stats | upgrade PATH\n"
    "Events: exit ID PID STATUS NS (to the subscriber), daemon-exit PID STATUS (to the\n"
    "connection that started the daemon).\n"
    "\n"
    "It runs with oom_score_adj -1000 (the daemon child gets 0). SIGTERM or SIGINT stop it only\n"
    "while it holds nothing (no running or unacked process, no daemon child); otherwise it logs\n"
    "\"holding N processes; not stopping (delete the pods first)\" and goes on. It also exits by\n"
    "itself after 2 s with nothing held, no daemon child and no client connection. `upgrade`\n"
    "re-execs a new binary in place: same pid, containers and pipes kept.\n";

static struct keeper K = {
    .root_fd = -1, .exits_fd = -1, .lock_fd = -1, .listen_fd = -1, .epoll_fd = -1,
    .signal_fd = -1, .log_fd = -1, .log_max = 10485760,
};

int epoll_watch(struct keeper *k, int fd, uint32_t events, uint64_t data) {
    struct epoll_event ev = {.events = events, .data.u64 = data};
    return epoll_ctl(k->epoll_fd, EPOLL_CTL_ADD, fd, &ev) < 0 ? -errno : 0;
}

int keeper_holding(struct keeper *k) {
    return (int)k->n_entries + (k->daemon_pid > 0);
}

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

static int setup(struct keeper *k, int state_fd, char *err, size_t errlen) {
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
    r = write_file_atomic(k->root_fd, "keeper.pid", pid, (size_t)n, 0);
    if (r < 0) {
        snprintf(err, errlen, "cannot write %s/keeper.pid: %s", k->root, strerror(-r));
        return -1;
    }
    reap_all(k);  // children that exited while an upgrade exec'd
    return 0;
}

static void __attribute__((noreturn)) stop(struct keeper *k, const char *why) {
    klog(k, "stopping: %s", why);
    unlinkat(k->root_fd, "keeper.sock", 0);
    unlinkat(k->root_fd, "keeper.pid", 0);
    exit(0);
}

static void on_signals(struct keeper *k) {
    struct signalfd_siginfo si;
    int child = 0, term = 0;
    while (read(k->signal_fd, &si, sizeof si) == (ssize_t)sizeof si) {
        if (si.ssi_signo == SIGCHLD) child = 1;
        else term = (int)si.ssi_signo;
    }
    if (child) reap_all(k);
    if (!term) return;
    int n = keeper_holding(k);
    if (n) klog(k, "holding %d processes; not stopping (delete the pods first)", n);
    else stop(k, term == SIGTERM ? "SIGTERM" : "SIGINT");
}

static int idle(struct keeper *k) {
    return k->n_entries == 0 && k->daemon_pid == 0 && k->n_conns == 0;
}

static void __attribute__((noreturn)) loop(struct keeper *k) {
    struct epoll_event ev[64];
    for (;;) {
        int timeout = -1;
        if (idle(k)) {
            int64_t now = mono_ms();
            if (!k->idle_since_ms) k->idle_since_ms = now;
            int64_t left = k->idle_since_ms + KEEPER_IDLE_MS - now;
            timeout = left > 0 ? (int)left : 0;
        } else {
            k->idle_since_ms = 0;
        }
        int n = epoll_wait(k->epoll_fd, ev, 64, timeout);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            klog(k, "epoll_wait: %s; exiting", strerror(errno));
            exit(1);
        }
        if (n == 0 && idle(k) && mono_ms() - k->idle_since_ms >= KEEPER_IDLE_MS)
            stop(k, "idle for 2 s with nothing to hold");
        for (int i = 0; i < n; i++) {
            uint64_t d = ev[i].data.u64;
            void *p = (void *)(uintptr_t)(d & ~(uint64_t)TAG_MASK);
            switch (d & TAG_MASK) {
            case TAG_LISTEN: conn_accept(k); break;
            case TAG_SIGNAL: on_signals(k); break;
            case TAG_CONN:
                if (!((struct conn *)p)->dead) conn_event(k, p, ev[i].events);
                break;
            case TAG_OUT:
            case TAG_ERR:
                if (!((struct entry *)p)->dead)
                    logs_drain(k, p, (d & TAG_MASK) == TAG_OUT ? STREAM_OUT : STREAM_ERR, 0);
                break;
            }
        }
        free_dead(k);
    }
}

// --detach: the original process waits on a pipe until the keeper (its grandchild) listens or
// explains why it cannot; it never returns. The keeper returns with the pipe's write end.
static int detach(const char *root) {
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

static int64_t parse_size(const char *s) {
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    return errno || end == s || *end || v < 1 ? -1 : v;
}

int main(int argc, char **argv) {
    const char *root = NULL;
    int detached = 0, state_fd = -1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *value = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            fputs(help, stdout);
            return 0;
        } else if (strcmp(a, "--detach") == 0) {
            detached = 1;
        } else if ((strcmp(a, "--root") == 0 || strcmp(a, "--log-max") == 0 || strcmp(a, "--state-fd") == 0) && !value) {
            fprintf(stderr, "swiftlet-keeper: %s needs a value (see --help)\n", a);
            return 2;
        } else if (strcmp(a, "--root") == 0) {
            root = argv[++i];
        } else if (strcmp(a, "--log-max") == 0) {
            if ((K.log_max = parse_size(argv[++i])) < 0) {
                fprintf(stderr, "swiftlet-keeper: --log-max takes a positive number of bytes, not \"%s\"\n", argv[i]);
                return 2;
            }
        } else if (strcmp(a, "--state-fd") == 0) {
            state_fd = (int)parse_size(argv[++i]);
        } else {
            fprintf(stderr, "swiftlet-keeper: unknown argument \"%s\" (see --help)\n", a);
            return 2;
        }
    }
    if (!root || !*root) {
        fprintf(stderr, "swiftlet-keeper: --root is required (see --help)\n");
        return 2;
    }
    // Paths are absolute from here on: the keeper runs in /.
    char abs_root[PATH_MAX];
    if (root[0] != '/') {
        char cwd[PATH_MAX];
        if (!getcwd(cwd, sizeof cwd) || snprintf(abs_root, sizeof abs_root, "%s/%s", cwd, root) >= (int)sizeof abs_root) {
            fprintf(stderr, "swiftlet-keeper: cannot make %s an absolute path\n", root);
            return 2;
        }
        root = abs_root;
    }
    K.root = root;
    // Fresh start: nothing our starter left open is ours (an upgrade names what it keeps), and
    // 0-2 are open so that no descriptor we receive lands there.
    if (state_fd < 0) close_range(3, ~0U, 0);
    for (int fd = 0; fd < 3; fd++)
        if (fcntl(fd, F_GETFD) < 0) open("/dev/null", O_RDWR);
    int ready = state_fd < 0 && detached ? detach(root) : -1;
    umask(022);
    if (chdir("/") < 0) {}
    char err[4096];
    if (setup(&K, state_fd, err, sizeof err) < 0) {
        if (K.log_fd >= 0) klog(&K, "cannot start: %s", err);
        if (ready >= 0) dprintf(ready, "swiftlet-keeper: %s\n", err);
        else fprintf(stderr, "swiftlet-keeper: %s\n", err);
        return 1;
    }
    if (ready >= 0) {
        (void)!write(ready, "R", 1);
        close(ready);
    }
    loop(&K);
}
