// The table of held processes and their exit records (R/exits/<id>).
//
// A linear table: lookups are by id (requests) or pid (exits), a few thousand entries at most,
// and a scan of a few thousand pointers costs less than a hash table's memory.
#include "keeper.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

int valid_id(const char *id) {
    size_t n = strlen(id);
    if (n == 0 || n > KEEPER_MAX_ID) return 0;
    if (strcmp(id, ".") == 0 || strcmp(id, "..") == 0) return 0;   // not a file name
    for (const char *p = id; *p; p++) {
        char c = *p;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '.' || c == '-'))
            return 0;
    }
    return 1;
}

struct entry *entry_find(struct keeper *k, const char *id) {
    for (size_t i = 0; i < k->n_entries; i++)
        if (strcmp(k->entries[i]->id, id) == 0) return k->entries[i];
    return NULL;
}

// The running entry of a pid (an exited entry's pid may already belong to someone else).
struct entry *entry_find_pid(struct keeper *k, pid_t pid) {
    for (size_t i = 0; i < k->n_entries; i++)
        if (k->entries[i]->pid == pid && !k->entries[i]->exited) return k->entries[i];
    return NULL;
}

struct entry *entry_add(struct keeper *k, const char *id, pid_t pid, const char *log_path) {
    struct entry *e = calloc(1, sizeof *e);
    if (!e) abort();
    e->id = strdup(id);
    e->log_path = log_path && *log_path ? strdup(log_path) : NULL;
    if (!e->id || (log_path && *log_path && !e->log_path)) abort();
    e->pid = pid;
    e->pipe[0] = e->pipe[1] = e->log_fd = -1;
    k->entries = xrealloc_array(k->entries, &k->cap_entries, k->n_entries + 1, sizeof *k->entries);
    k->entries[k->n_entries++] = e;
    return e;
}

void entry_close_pipe(struct keeper *k, struct entry *e, int stream) {
    if (e->pipe[stream] < 0) return;
    // Removed from epoll first: the daemon may still hold a copy of this pipe, and epoll keys
    // on the open file, not on the fd, so a bare close would leave events naming this entry.
    epoll_ctl(k->epoll_fd, EPOLL_CTL_DEL, e->pipe[stream], NULL);
    close(e->pipe[stream]);
    e->pipe[stream] = -1;
    if (e->pipe[0] < 0 && e->pipe[1] < 0 && e->log_fd >= 0) {
        close(e->log_fd);
        e->log_fd = -1;
    }
}

// The process is gone: what its pipes hold now goes to the log first, then the record is
// written, then the subscriber hears of it. The record is renamed into place but not fsync'd:
// it must outlive the keeper's process (the page cache does), while a crash of the machine ends
// every container with it, so there is no exit to restore then; and an fsync here sat on every
// restart's path (tens of ms on a busy disk; the state root is tmpfs on most hosts anyway).
void entry_exited(struct keeper *k, struct entry *e, int status, int64_t finished_ns) {
    logs_drain(k, e, STREAM_OUT, 1);
    logs_drain(k, e, STREAM_ERR, 1);
    char rec[96];
    int n = snprintf(rec, sizeof rec, "%d %" PRId64 " %d\n", status, finished_ns, (int)e->pid);
    int r = write_file_atomic(k->exits_fd, e->id, rec, (size_t)n);
    char what[96];
    if (r < 0)
        klog(k, "cannot write exits/%s: %s (the exit is kept in memory only)", e->id, strerror(-r));
    klog(k, "%s (pid %d) exited: %s", e->id, (int)e->pid, describe_status(status, what, sizeof what));
    e->exited = 1;
    e->status = status;
    e->finished_ns = finished_ns;
    e->seq = ++k->exit_seq;
    events_flush(k);
}

// Acked: the daemon has taken the exit (or stops caring about a running process).
void entry_forget(struct keeper *k, struct entry *e) {
    if (unlinkat(k->exits_fd, e->id, 0) < 0 && errno != ENOENT)
        klog(k, "cannot remove exits/%s: %s", e->id, strerror(errno));
    entry_close_pipe(k, e, STREAM_OUT);
    entry_close_pipe(k, e, STREAM_ERR);
    if (e->log_fd >= 0) close(e->log_fd);
    e->log_fd = -1;
    for (size_t i = 0; i < k->n_entries; i++) {
        if (k->entries[i] != e) continue;
        k->entries[i] = k->entries[--k->n_entries];
        break;
    }
    e->dead = 1;
    k->dead_entries = xrealloc_array(k->dead_entries, &k->cap_dead_entries, k->n_dead_entries + 1,
                                     sizeof *k->dead_entries);
    k->dead_entries[k->n_dead_entries++] = e;
}

void entries_count(struct keeper *k, size_t *running, size_t *exited) {
    *running = *exited = 0;
    for (size_t i = 0; i < k->n_entries; i++) (k->entries[i]->exited ? (*exited)++ : (*running)++);
}

static int by_finish(const void *a, const void *b) {
    const struct entry *x = *(struct entry *const *)a, *y = *(struct entry *const *)b;
    return x->finished_ns < y->finished_ns ? -1 : x->finished_ns > y->finished_ns;
}

// A fresh keeper (not an upgrade) takes over the records a previous keeper left: those exits
// happened and the daemon has not acked them yet.
void exit_records_load(struct keeper *k) {
    int fd = openat(k->exits_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
    if (!d) {
        if (fd >= 0) close(fd);
        return;
    }
    struct dirent *de;
    while ((de = readdir(d))) {
        if (de->d_name[0] == '.' && (!de->d_name[1] || (de->d_name[1] == '.' && !de->d_name[2])))
            continue;
        if (strchr(de->d_name, '~')) {   // a temporary file of a write that did not finish
            unlinkat(k->exits_fd, de->d_name, 0);
            continue;
        }
        if (!valid_id(de->d_name) || entry_find(k, de->d_name)) continue;
        int rfd = openat(k->exits_fd, de->d_name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        if (rfd < 0) continue;
        char buf[96];
        ssize_t n = read(rfd, buf, sizeof buf - 1);
        close(rfd);
        int status, pid;
        long long ns;
        if (n <= 0) continue;
        buf[n] = 0;
        if (sscanf(buf, "%d %lld %d", &status, &ns, &pid) != 3) {
            klog(k, "exits/%s is not an exit record; left alone", de->d_name);
            continue;
        }
        struct entry *e = entry_add(k, de->d_name, pid, NULL);
        e->exited = 1;
        e->status = status;
        e->finished_ns = ns;
    }
    closedir(d);
    qsort(k->entries, k->n_entries, sizeof *k->entries, by_finish);
    for (size_t i = 0; i < k->n_entries; i++) k->entries[i]->seq = ++k->exit_seq;
    if (k->n_entries) klog(k, "took over %zu unacked exit records", k->n_entries);
}

void free_dead(struct keeper *k) {
    for (size_t i = 0; i < k->n_dead_entries; i++) {
        free(k->dead_entries[i]->id);
        free(k->dead_entries[i]->log_path);
        free(k->dead_entries[i]);
    }
    k->n_dead_entries = 0;
    for (size_t i = 0; i < k->n_dead_conns; i++) free(k->dead_conns[i]);
    k->n_dead_conns = 0;
}
