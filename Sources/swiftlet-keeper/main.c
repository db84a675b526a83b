// swiftlet-keeper's command line and event loop. See keeper.h for what it is; start-up is in
// startup.c.
#include "keeper.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
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

// A child nobody handed over (a daemon died between cloning a sandbox or container and `hold`)
// is still ours: leaving would give it to init, and the next daemon could not find and kill it.
static int has_children(void) {
    char path[64], buf[16];
    snprintf(path, sizeof path, "/proc/self/task/%d/children", (int)getpid());
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return 0;
    ssize_t n = read(fd, buf, sizeof buf);
    close(fd);
    return n > 0;
}

static int idle(struct keeper *k) {
    return k->n_entries == 0 && k->daemon_pid == 0 && k->n_conns == 0 && !has_children();
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
    int ready = state_fd < 0 && detached ? keeper_detach(root) : -1;
    umask(022);
    if (chdir("/") < 0) {}
    char err[4096];
    if (keeper_setup(&K, state_fd, err, sizeof err) < 0) {
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
