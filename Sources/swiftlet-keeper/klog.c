// Time, the keeper's own log (keeper.log), and small file helpers.
#include "keeper.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int64_t mono_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

// RFC 3339 with nanoseconds in UTC, the CRI log's timestamp: always 30 characters.
void format_time(char out[32], int64_t ns) {
    time_t secs = (time_t)(ns / 1000000000);
    uint64_t frac = (uint64_t)ns % 1000000000u;
    struct tm tm;
    gmtime_r(&secs, &tm);
    size_t n = strftime(out, 21, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out + n, 32 - n, ".%09" PRIu64 "Z", frac);
}

void klog_open(struct keeper *k) {
    k->log_fd = openat(k->root_fd, "keeper.log", O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);
    struct stat st;
    k->log_size = k->log_fd >= 0 && fstat(k->log_fd, &st) == 0 ? st.st_size : 0;
}

// One line per message, written with one write(2) on an O_APPEND fd, so lines never interleave.
void klog(struct keeper *k, const char *fmt, ...) {
    char line[1024];
    format_time(line, now_ns());
    size_t n = strlen(line);
    line[n++] = ' ';
    va_list ap;
    va_start(ap, fmt);
    int m = vsnprintf(line + n, sizeof line - n - 1, fmt, ap);
    va_end(ap);
    if (m < 0) return;
    n += (size_t)m < sizeof line - n - 1 ? (size_t)m : sizeof line - n - 2;
    line[n++] = '\n';
    int fd = k->log_fd >= 0 ? k->log_fd : STDERR_FILENO;
    while (write(fd, line, n) < 0 && errno == EINTR) {}
    if (k->log_fd < 0 || (k->log_size += (int64_t)n) < KEEPER_LOG_MAX) return;
    // Bounded: one old file is kept.
    renameat(k->root_fd, "keeper.log", k->root_fd, "keeper.log.1");
    close(k->log_fd);
    klog_open(k);
}

// Writes `name` in `dirfd` through a temporary name and rename(2), so a reader sees the old
// file or the new one, also after a crash of the keeper.
int write_file_atomic(int dirfd, const char *name, const char *data, size_t len) {
    char tmp[KEEPER_MAX_ID + 16];
    // '~' is not allowed in ids, so the temporary name never collides with a record.
    if (snprintf(tmp, sizeof tmp, "%s.tmp~", name) >= (int)sizeof tmp) return -ENAMETOOLONG;
    int fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) return -errno;
    size_t off = 0;
    while (off < len) {
        ssize_t w = write(fd, data + off, len - off);
        if (w < 0 && errno == EINTR) continue;
        if (w < 0) {
            int e = errno;
            close(fd);
            unlinkat(dirfd, tmp, 0);
            return -e;
        }
        off += (size_t)w;
    }
    close(fd);
    if (renameat(dirfd, tmp, dirfd, name) < 0) {
        int e = errno;
        unlinkat(dirfd, tmp, 0);
        return -e;
    }
    return 0;
}

const char *describe_status(int status, char *buf, size_t len) {
    if (WIFEXITED(status))
        snprintf(buf, len, "exit code %d (wait status %d)", WEXITSTATUS(status), status);
    else if (WIFSIGNALED(status))
        snprintf(buf, len, "killed by signal %d%s (wait status %d)", WTERMSIG(status),
                 WCOREDUMP(status) ? ", core dumped" : "", status);
    else
        snprintf(buf, len, "wait status %d", status);
    return buf;
}

int set_cloexec(int fd, int on) {
    int flags = fcntl(fd, F_GETFD);
    if (flags < 0) return -errno;
    flags = on ? flags | FD_CLOEXEC : flags & ~FD_CLOEXEC;
    return fcntl(fd, F_SETFD, flags) < 0 ? -errno : 0;
}

// Grows an array to hold `need` elements; aborts when memory is gone (nothing sensible to do).
void *xrealloc_array(void *p, size_t *cap, size_t need, size_t size) {
    if (need <= *cap) return p;
    size_t n = *cap ? *cap : 8;
    while (n < need) n *= 2;
    void *q = realloc(p, n * size);
    if (!q) abort();
    *cap = n;
    return q;
}
