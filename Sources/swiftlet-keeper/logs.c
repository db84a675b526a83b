// CRI log files: the keeper drains each held process's stdout and stderr pipes into its log,
// one line per `<RFC3339Nano UTC> <stdout|stderr> <F|P> <text>\n`, so the writer never blocks
// on a full pipe while no daemon runs (containerd#9342).
//
// No per-container line buffer (conmon's way): a read that leaves a line unfinished and the pipe
// empty writes that piece at once as a P line. Within one drain the pieces of a line that is
// still arriving are joined in a shared buffer, so P lines appear only when the writer paused in
// mid-line. Lines longer than 16 KiB are cut into P lines of 16 KiB. The last piece of a stream
// without a newline is written as F at EOF, as containerd's CRI logger does. Past --log-max
// bytes the file is renamed to <path>.1 (replacing it) and reopened empty.
#include "keeper.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#define IOV_BATCH 1024          // IOV_MAX on Linux
#define READ_ROUNDS 16          // reads per wakeup: 1 MiB, then other pipes get their turn
#define READ_ROUNDS_AT_EXIT 64  // what a dead process left (a grandchild may keep writing)

// Shared by every entry: only one pipe is drained at a time.
static char rbuf[KEEPER_MAX_MSG];
static struct iovec iov[IOV_BATCH];

struct batch {
    struct keeper *k;
    struct entry *e;
    size_t niov, bytes;
    char prefix[2][48];  // "<time> <stream> F " and "... P "
    size_t prefix_len;
};

int logs_open(struct keeper *k, struct entry *e, char *err, size_t errlen) {
    (void)k;
    e->log_fd = open(e->log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOCTTY, 0640);
    if (e->log_fd < 0) {
        snprintf(err, errlen, "cannot open log %s: %s", e->log_path, strerror(errno));
        return -1;
    }
    struct stat st;
    e->log_size = fstat(e->log_fd, &st) == 0 ? st.st_size : 0;
    return 0;
}

int logs_watch(struct keeper *k, struct entry *e, int stream) {
    int fd = e->pipe[stream];
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0) return -errno;
    uint64_t tag = stream == STREAM_OUT ? TAG_OUT : TAG_ERR;
    return epoll_watch(k, fd, EPOLLIN, (uint64_t)(uintptr_t)e | tag);
}

static void rotate(struct keeper *k, struct entry *e) {
    char old[PATH_MAX + 3];
    snprintf(old, sizeof old, "%s.1", e->log_path);
    if (rename(e->log_path, old) < 0) klog(k, "cannot rotate %s: %s", e->log_path, strerror(errno));
    close(e->log_fd);
    e->log_fd = open(e->log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOCTTY, 0640);
    if (e->log_fd < 0) klog(k, "cannot reopen %s: %s; output is dropped", e->log_path, strerror(errno));
    struct stat st;
    e->log_size = e->log_fd >= 0 && fstat(e->log_fd, &st) == 0 ? st.st_size : 0;
}

static void flush(struct batch *b) {
    struct entry *e = b->e;
    struct iovec *v = iov;
    size_t n = b->niov;
    while (e->log_fd >= 0 && n > 0) {
        ssize_t w = writev(e->log_fd, v, (int)n);
        if (w < 0 && errno == EINTR) continue;
        if (w < 0) {
            if (!e->log_failed) klog(b->k, "cannot write %s: %s", e->log_path, strerror(errno));
            e->log_failed = 1;
            break;
        }
        e->log_size += w;
        while (n > 0 && (size_t)w >= v->iov_len) {
            w -= (ssize_t)v->iov_len;
            v++;
            n--;
        }
        if (n > 0) {
            v->iov_base = (char *)v->iov_base + w;
            v->iov_len -= (size_t)w;
        }
    }
    b->niov = 0;
    b->bytes = 0;
}

// `text` is `len` bytes of the line, followed in the buffer by its '\n' when `newline`.
static void add_line(struct batch *b, const char *text, size_t len, int partial, int newline) {
    struct entry *e = b->e;
    size_t total = b->prefix_len + len + 1;
    int64_t size = e->log_size + (int64_t)b->bytes;
    if (e->log_fd >= 0 && size > 0 && size + (int64_t)total > b->k->log_max) {
        flush(b);
        rotate(b->k, e);
    }
    if (b->niov + 3 > IOV_BATCH) flush(b);
    iov[b->niov++] = (struct iovec){b->prefix[partial], b->prefix_len};
    iov[b->niov++] = (struct iovec){(char *)text, len + (newline ? 1 : 0)};
    if (!newline) iov[b->niov++] = (struct iovec){"\n", 1};
    b->bytes += total;
}

// Emits every complete line (and 16 KiB pieces of over-long ones); returns the bytes used.
static size_t emit_lines(struct batch *b, const char *buf, size_t have) {
    size_t start = 0;
    while (start < have) {
        size_t look = have - start < KEEPER_MAX_LINE + 1 ? have - start : KEEPER_MAX_LINE + 1;
        const char *nl = memchr(buf + start, '\n', look);
        if (nl) {
            size_t len = (size_t)(nl - (buf + start));
            add_line(b, buf + start, len, 0, 1);
            start += len + 1;
        } else if (have - start >= KEEPER_MAX_LINE) {
            add_line(b, buf + start, KEEPER_MAX_LINE, 1, 0);
            start += KEEPER_MAX_LINE;
        } else {
            break;
        }
    }
    return start;
}

static void set_prefixes(struct batch *b, int stream) {
    char t[32];
    format_time(t, now_ns());
    const char *s = stream == STREAM_OUT ? "stdout" : "stderr";
    b->prefix_len = (size_t)snprintf(b->prefix[0], sizeof b->prefix[0], "%s %s F ", t, s);
    snprintf(b->prefix[1], sizeof b->prefix[1], "%s %s P ", t, s);
}

// Reads what the pipe holds now (bounded, for fairness) into the log. `at_exit`: the process
// is gone, read more before its exit is recorded.
void logs_drain(struct keeper *k, struct entry *e, int stream, int at_exit) {
    int fd = e->pipe[stream];
    if (fd < 0) return;
    struct batch b = {.k = k, .e = e};
    size_t have = 0;
    int rounds = at_exit ? READ_ROUNDS_AT_EXIT : READ_ROUNDS;
    for (int r = 0;; r++) {
        if (r == rounds) {
            if (have) add_line(&b, rbuf, have, 1, 0);
            break;
        }
        ssize_t n = read(fd, rbuf + have, sizeof rbuf - have);
        if (n < 0 && errno == EINTR) {
            r--;
            continue;
        }
        if (n > 0) {
            set_prefixes(&b, stream);
            have += (size_t)n;
            size_t used = emit_lines(&b, rbuf, have);
            flush(&b);  // the iovecs point into rbuf, which the move below overwrites
            memmove(rbuf, rbuf + used, have - used);
            have -= used;
            continue;
        }
        // EOF: the last piece is a whole line. Empty for now: a P line, the rest comes later.
        int eof = n == 0;
        int err = n < 0 && errno != EAGAIN ? errno : 0;
        if (have) add_line(&b, rbuf, have, !eof, 0);
        flush(&b);
        if (err) klog(k, "reading %s's %s: %s", e->id, stream == STREAM_OUT ? "stdout" : "stderr",
                      strerror(err));
        if (eof || err) entry_close_pipe(k, e, stream);
        return;
    }
    flush(&b);
}
