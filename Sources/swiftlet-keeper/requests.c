// The verbs: each checks its fields and descriptors, acts, and sends exactly one reply (`list`
// sends its datagrams and `end`). Errors name what was at fault, as a sentence.
#include "requests.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int parse_pid(const char *s, pid_t *out) {
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v <= 0 || v > INT_MAX) return 0;
    *out = (pid_t)v;
    return 1;
}

static int check_id(struct keeper *k, struct conn *c, const char *id) {
    if (valid_id(id)) return 1;
    reply_error(k, c, "invalid container id \"%.255s\": ids are 1 to 255 characters of A-Z a-z 0-9 _ . - "
                      "(and not \".\" or \"..\")", id);
    return 0;
}

static int check(struct keeper *k, struct conn *c, char **f, size_t nf, size_t args, const char *what,
                 size_t nfds) {
    if (nf - 1 != args) {
        reply_error(k, c, "%s takes %s (got %zu fields after the verb)", f[0], what, nf - 1);
        return 0;
    }
    if (nfds) {
        reply_error(k, c, "%s takes no file descriptors, not %zu", f[0], nfds);
        return 0;
    }
    return 1;
}

static void hello(struct keeper *k, struct conn *c, char **f, size_t nf, size_t nfds) {
    if (!check(k, c, f, nf, 1, "a protocol version", nfds)) return;
    if (strcmp(f[1], "1") != 0) {
        reply_error(k, c, "protocol version %.32s not supported (keeper speaks %d)", f[1], KEEPER_PROTOCOL);
        return;
    }
    reply_begin();
    reply_add("hello");
    reply_addf("%d", KEEPER_PROTOCOL);
    reply_addf("%d", (int)getpid());
    reply_addf("%d", (int)k->daemon_pid);
    reply_send(k, c);
}

static void start_daemon(struct keeper *k, struct conn *c, char **f, size_t nf, int *fds, size_t nfds) {
    if (nf < 2) {
        reply_error(k, c, "daemon takes an executable path and its arguments");
        return;
    }
    if (nfds != 3) {
        reply_error(k, c, "daemon takes 3 file descriptors (stdin, stdout, stderr), not %zu", nfds);
        return;
    }
    char err[2048];
    pid_t pid = daemon_start(k, &f[1], fds, err, sizeof err);  // f is NULL-terminated: argv
    if (pid < 0) {
        reply_error(k, c, "%s", err);
        return;
    }
    k->daemon_conn = c;
    reply_begin();
    reply_add("daemon");
    reply_addf("%d", (int)pid);
    reply_send(k, c);
}

static void held(struct keeper *k, struct conn *c, const char *id) {
    reply_begin();
    reply_add("held");
    reply_add(id);
    reply_send(k, c);
}

static void hold(struct keeper *k, struct conn *c, char **f, size_t nf, int *fds, size_t nfds) {
    if (nf != 4) {
        reply_error(k, c, "hold takes an id, a pid and a log path (got %zu fields after the verb)", nf - 1);
        return;
    }
    if (nfds != 0 && nfds != 2) {
        reply_error(k, c, "hold takes 0 or 2 file descriptors (the stdout and stderr read ends), not %zu", nfds);
        return;
    }
    const char *id = f[1], *log = f[3];
    pid_t pid;
    if (!check_id(k, c, id)) return;
    if (!parse_pid(f[2], &pid)) {
        reply_error(k, c, "invalid pid \"%.32s\" for %s", f[2], id);
        return;
    }
    if (nfds == 2 && !*log) {
        reply_error(k, c, "holding %s with pipes needs a log path", id);
        return;
    }
    if (*log && (log[0] != '/' || strlen(log) > PATH_MAX - 3)) {
        reply_error(k, c, "the log path of %s must be absolute and shorter than %d bytes, not \"%.1000s\"",
                    id, PATH_MAX - 3, log);
        return;
    }
    struct entry *e = entry_find(k, id);
    if (e && e->pid == pid) {  // a repeated hold (the daemon retried): the first one stands
        held(k, c, id);
        return;
    }
    if (e) {
        reply_error(k, c, "%s is already held (pid %d)", id, (int)e->pid);
        return;
    }
    if (pid == k->daemon_pid) {
        reply_error(k, c, "pid %d is the daemon, not a container", (int)pid);
        return;
    }
    if ((e = entry_find_pid(k, pid))) {
        reply_error(k, c, "pid %d is already held as %s", (int)pid, e->id);
        return;
    }
    struct unknown_exit *gone = NULL;
    if (!is_child(pid) && !(gone = ring_find(k, pid))) {
        reply_error(k, c, "pid %d is not a child of the keeper (the daemon must clone it with CLONE_PARENT)", (int)pid);
        return;
    }
    e = entry_add(k, id, pid, nfds ? log : NULL);
    if (nfds == 2) {
        char err[PATH_MAX + 128];
        if (logs_open(k, e, err, sizeof err) < 0) {
            entry_forget(k, e);
            reply_error(k, c, "%s", err);
            return;
        }
        for (int s = 0; s < 2; s++) {
            e->pipe[s] = fds[s];
            fds[s] = -1;
            int r = logs_watch(k, e, s);
            if (r < 0) klog(k, "cannot watch %s's pipe: %s", id, strerror(-r));
        }
    }
    klog(k, "holding %s (pid %d)%s%s", id, (int)pid, nfds ? ", logging to " : "", nfds ? log : "");
    if (gone) {  // it exited before the daemon held it
        struct unknown_exit u = *gone;
        gone->pid = 0;
        entry_exited(k, e, u.status, u.finished_ns);
    }
    held(k, c, id);
}

static void subscribe(struct keeper *k, struct conn *c, char **f, size_t nf, size_t nfds) {
    if (!check(k, c, f, nf, 0, "no arguments", nfds)) return;
    if (k->subscriber && k->subscriber != c) {
        klog(k, "a new subscriber replaces the previous one, whose connection is closed");
        conn_close(k, k->subscriber);
    }
    reply_begin();
    reply_add("subscribed");
    if (reply_send(k, c) < 0) return;
    c->subscriber = 1;
    c->sent_upto = 0;
    k->subscriber = c;
    events_flush(k);
}

static void list(struct keeper *k, struct conn *c, char **f, size_t nf, size_t nfds) {
    if (!check(k, c, f, nf, 0, "no arguments", nfds)) return;
    reply_begin();
    reply_add("list");
    for (size_t i = 0; i < k->n_entries; i++) {
        struct entry *e = k->entries[i];
        char pid[16], status[16] = "";
        snprintf(pid, sizeof pid, "%d", (int)e->pid);
        if (e->exited) snprintf(status, sizeof status, "%d", e->status);
        const char *state = e->exited ? "exited" : "running";
        if (!reply_fits(strlen(e->id) + strlen(pid) + strlen(state) + strlen(status) + 4)) {
            if (reply_send(k, c) < 0) return;
            reply_begin();
            reply_add("list");
        }
        reply_add(e->id);
        reply_add(pid);
        reply_add(state);
        reply_add(status);
    }
    if (reply_send(k, c) < 0) return;
    reply_begin();
    reply_add("end");
    reply_send(k, c);
}

static void ack(struct keeper *k, struct conn *c, char **f, size_t nf, size_t nfds) {
    if (!check(k, c, f, nf, 1, "an id", nfds) || !check_id(k, c, f[1])) return;
    struct entry *e = entry_find(k, f[1]);
    if (e) {
        klog(k, "%s (pid %d) acked%s", e->id, (int)e->pid, e->exited ? "" : " while running; no longer held");
        entry_forget(k, e);
    }
    reply_begin();
    reply_add("acked");
    reply_add(f[1]);
    reply_send(k, c);
}

static int open_fds(void) {
    DIR *d = opendir("/proc/self/fd");
    if (!d) return -1;
    int n = 0;
    struct dirent *de;
    while ((de = readdir(d)))
        if (de->d_name[0] != '.') n++;
    closedir(d);
    return n - 1;  // the directory's own fd
}

static void stats(struct keeper *k, struct conn *c, char **f, size_t nf, size_t nfds) {
    if (!check(k, c, f, nf, 0, "no arguments", nfds)) return;
    size_t running, exited;
    entries_count(k, &running, &exited);
    reply_begin();
    reply_add("stats");
    reply_addf("%zu", running);
    reply_addf("%zu", exited);
    reply_addf("%d", open_fds());
    reply_send(k, c);
}

static void upgrade_req(struct keeper *k, struct conn *c, char **f, size_t nf, size_t nfds) {
    if (!check(k, c, f, nf, 1, "an executable path", nfds)) return;
    if (f[1][0] != '/' || access(f[1], X_OK) < 0) {
        reply_error(k, c, "cannot upgrade to \"%.1000s\": %s", f[1],
                    f[1][0] != '/' ? "not an absolute path" : strerror(errno));
        return;
    }
    reply_begin();
    reply_add("upgrading");
    reply_send(k, c);
    upgrade(k, f[1]);  // returns only if the exec failed; the keeper goes on as it was
}

void request(struct keeper *k, struct conn *c, char **f, size_t nf, int *fds, size_t nfds) {
    const char *v = f[0];
    if (strcmp(v, "hello") == 0) hello(k, c, f, nf, nfds);
    else if (strcmp(v, "daemon") == 0) start_daemon(k, c, f, nf, fds, nfds);
    else if (strcmp(v, "hold") == 0) hold(k, c, f, nf, fds, nfds);
    else if (strcmp(v, "subscribe") == 0) subscribe(k, c, f, nf, nfds);
    else if (strcmp(v, "list") == 0) list(k, c, f, nf, nfds);
    else if (strcmp(v, "ack") == 0) ack(k, c, f, nf, nfds);
    else if (strcmp(v, "stats") == 0) stats(k, c, f, nf, nfds);
    else if (strcmp(v, "upgrade") == 0) upgrade_req(k, c, f, nf, nfds);
    else
        reply_error(k, c, "unknown request \"%.64s\" (the keeper knows hello, daemon, hold, subscribe, "
                          "list, ack, stats and upgrade)", v);
}
