// Upgrade by re-exec in place (systemd's daemon-reexec model): execve keeps the pid, so the
// containers and the daemon stay our children, and the subreaper flag, the blocked signal mask
// and pending SIGCHLDs survive it. The state goes to the new image in a memfd (--state-fd N);
// exactly the descriptors it names lose CLOEXEC. Client connections close (clients reconnect;
// a subscriber gets every unacked exit again when it resubscribes).
//
// State format, text:
//   swiftlet-keeper-state 1
//   listen <fd> / lock <fd> / daemon <pid> / seq <last exit seq>
//   ring <pid> <status> <finished ns>                      (oldest first)
//   entry <pid> <exited> <status> <ns> <seq> <out fd> <err fd> <log fd> <log size> <id len> <path len>
//   <id bytes><path bytes>
#include "keeper.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define STATE_HEADER "swiftlet-keeper-state 1\n"

extern char **environ;

// Sets CLOEXEC on (on = 1) or off every descriptor the new image keeps.
static void kept_fds_cloexec(struct keeper *k, int on) {
    set_cloexec(k->listen_fd, on);
    set_cloexec(k->lock_fd, on);
    for (size_t i = 0; i < k->n_entries; i++) {
        struct entry *e = k->entries[i];
        if (e->pipe[0] >= 0) set_cloexec(e->pipe[0], on);
        if (e->pipe[1] >= 0) set_cloexec(e->pipe[1], on);
        if (e->log_fd >= 0) set_cloexec(e->log_fd, on);
    }
}

void upgrade(struct keeper *k, const char *path) {
    int fd = memfd_create("swiftlet-keeper-state", 0);  // not CLOEXEC: the new image reads it
    if (fd < 0) {
        klog(k, "upgrade to %s failed: memfd_create: %s; going on as before", path, strerror(errno));
        return;
    }
    dprintf(fd, STATE_HEADER "listen %d\nlock %d\ndaemon %d\nseq %" PRIu64 "\n", k->listen_fd,
            k->lock_fd, (int)k->daemon_pid, k->exit_seq);
    for (unsigned i = 0; i < KEEPER_RING; i++) {
        struct unknown_exit *u = &k->ring[(k->ring_next + i) % KEEPER_RING];
        if (u->pid) dprintf(fd, "ring %d %d %" PRId64 "\n", (int)u->pid, u->status, u->finished_ns);
    }
    for (size_t i = 0; i < k->n_entries; i++) {
        struct entry *e = k->entries[i];
        const char *lp = e->log_path ? e->log_path : "";
        dprintf(fd, "entry %d %d %d %" PRId64 " %" PRIu64 " %d %d %d %" PRId64 " %zu %zu\n%s%s\n",
                (int)e->pid, e->exited, e->status, e->finished_ns, e->seq, e->pipe[0], e->pipe[1],
                e->log_fd, e->log_size, strlen(e->id), strlen(lp), e->id, lp);
    }
    char fdarg[16], maxarg[24];
    snprintf(fdarg, sizeof fdarg, "%d", fd);
    snprintf(maxarg, sizeof maxarg, "%" PRId64, k->log_max);
    char *argv[] = {(char *)path, "--root", (char *)k->root, "--log-max", maxarg, "--state-fd", fdarg, NULL};
    klog(k, "upgrading: re-executing %s with %zu entries", path, k->n_entries);
    kept_fds_cloexec(k, 0);
    execve(path, argv, environ);
    int e = errno;
    kept_fds_cloexec(k, 1);
    close(fd);
    klog(k, "upgrade to %s failed: %s; going on as before", path, strerror(e));
}

// A cursor over the state text.
struct reader {
    const char *p, *end;
    int bad;
};

static long long num(struct reader *r) {
    while (r->p < r->end && *r->p == ' ') r->p++;
    char *stop;
    errno = 0;
    long long v = strtoll(r->p, &stop, 10);
    if (stop == r->p || errno) r->bad = 1;
    r->p = stop;
    return v;
}

static void bytes(struct reader *r, char *out, size_t n, size_t cap) {
    if (n >= cap || (size_t)(r->end - r->p) < n) {
        r->bad = 1;
        return;
    }
    memcpy(out, r->p, n);
    out[n] = 0;
    r->p += n;
}

static int word(struct reader *r, const char *w) {
    size_t n = strlen(w);
    if ((size_t)(r->end - r->p) > n && memcmp(r->p, w, n) == 0 && r->p[n] == ' ') {
        r->p += n + 1;
        return 1;
    }
    return 0;
}

static void restore_entry(struct keeper *k, struct reader *r) {
    pid_t pid = (pid_t)num(r);
    int exited = (int)num(r), status = (int)num(r);
    int64_t ns = num(r);
    uint64_t seq = (uint64_t)num(r);
    int out = (int)num(r), err = (int)num(r), log_fd = (int)num(r);
    int64_t log_size = num(r);
    size_t id_len = (size_t)num(r), path_len = (size_t)num(r);
    if (r->p < r->end && *r->p == '\n') r->p++;
    char id[KEEPER_MAX_ID + 1], path[PATH_MAX];
    bytes(r, id, id_len, sizeof id);
    bytes(r, path, path_len, sizeof path);
    if (r->bad) return;
    struct entry *e = entry_add(k, id, pid, path);
    e->exited = exited;
    e->status = status;
    e->finished_ns = ns;
    e->seq = seq;
    e->pipe[0] = out;
    e->pipe[1] = err;
    e->log_fd = log_fd;
    e->log_size = log_size;
    for (int s = 0; s < 2; s++) {
        if (e->pipe[s] < 0) continue;
        set_cloexec(e->pipe[s], 1);
        int rc = logs_watch(k, e, s);
        if (rc < 0) klog(k, "cannot watch %s's pipe after the upgrade: %s", id, strerror(-rc));
    }
    if (log_fd >= 0) set_cloexec(log_fd, 1);
}

// Reads the state an upgrading keeper left; the descriptors it names are ours now. Lenient:
// a line that does not parse is skipped, since the containers are ours either way.
int upgrade_restore(struct keeper *k, int fd, char *err, size_t errlen) {
    struct stat st;
    if (fstat(fd, &st) < 0) {
        snprintf(err, errlen, "cannot read the upgrade state (fd %d): %s", fd, strerror(errno));
        return -1;
    }
    char *buf = malloc((size_t)st.st_size + 1);
    if (!buf) abort();
    ssize_t n = pread(fd, buf, (size_t)st.st_size, 0);
    close(fd);
    if (n < (ssize_t)strlen(STATE_HEADER) || memcmp(buf, STATE_HEADER, strlen(STATE_HEADER)) != 0) {
        free(buf);
        snprintf(err, errlen, "the upgrade state (fd %d) is not a version 1 keeper state", fd);
        return -1;
    }
    struct reader r = {buf + strlen(STATE_HEADER), buf + n, 0};
    while (r.p < r.end) {
        r.bad = 0;
        if (word(&r, "listen")) k->listen_fd = (int)num(&r);
        else if (word(&r, "lock")) k->lock_fd = (int)num(&r);
        else if (word(&r, "daemon")) k->daemon_pid = (pid_t)num(&r);
        else if (word(&r, "seq")) k->exit_seq = (uint64_t)num(&r);
        else if (word(&r, "ring")) {
            struct unknown_exit u;
            u.pid = (pid_t)num(&r);
            u.status = (int)num(&r);
            u.finished_ns = num(&r);
            if (!r.bad) {
                k->ring[k->ring_next] = u;
                k->ring_next = (k->ring_next + 1) % KEEPER_RING;
            }
        } else if (word(&r, "entry")) restore_entry(k, &r);
        else r.bad = 1;
        if (r.bad) klog(k, "upgrade state: a line did not parse and was skipped");
        const char *nl = memchr(r.p, '\n', (size_t)(r.end - r.p));
        r.p = nl ? nl + 1 : r.end;
    }
    free(buf);
    if (k->listen_fd < 0 || k->lock_fd < 0) {
        snprintf(err, errlen, "the upgrade state has no listening socket or lock");
        return -1;
    }
    set_cloexec(k->listen_fd, 1);
    set_cloexec(k->lock_fd, 1);
    return 0;
}
