// Connections: accepting (root or our own euid only), reading request datagrams with their
// descriptors, sending replies and events. The verbs themselves are in requests.c; the message
// format is in keeper.h.
//
// Nothing here blocks: sockets are non-blocking and sends use MSG_DONTWAIT. A client that lets
// its replies pile up is disconnected. The subscriber's events are not queued in memory: each
// exited entry has a sequence number and the subscriber a cursor, so a full socket only arms
// EPOLLOUT and the rest goes out when it drains.
#include "keeper.h"
#include "requests.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_FDS 8
#define MAX_FIELDS 1024
#define MESSAGES_PER_WAKEUP 16

static char in_buf[KEEPER_MAX_MSG];
static char *fields[MAX_FIELDS + 1];
static char out_buf[KEEPER_MAX_MSG];
static size_t out_len;
static int out_overflow;
static int reserve_fd = -1;   // given up to accept (and drop) a connection when out of fds

void reply_begin(void) {
    out_len = 0;
    out_overflow = 0;
}

// Whether `n` more fields of `bytes` bytes in all (NULs included) still fit.
int reply_fits(size_t bytes) {
    return out_len + bytes <= sizeof out_buf;
}

void reply_add(const char *s) {
    size_t n = strlen(s) + 1;
    if (!reply_fits(n)) {
        out_overflow = 1;
        return;
    }
    memcpy(out_buf + out_len, s, n);
    out_len += n;
}

void reply_addf(const char *fmt, ...) {
    char buf[64];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    reply_add(buf);
}

// Sends the reply built so far; a client that cannot take it is disconnected.
int reply_send(struct keeper *k, struct conn *c) {
    if (out_overflow) {
        reply_begin();
        reply_add("error");
        reply_add("the reply would pass 64 KiB");
    }
    ssize_t n;
    while ((n = send(c->fd, out_buf, out_len, MSG_NOSIGNAL | MSG_DONTWAIT)) < 0 && errno == EINTR) {}
    if (n >= 0) return 0;
    if (errno == EAGAIN || errno == EWOULDBLOCK)
        klog(k, "a client does not read its replies; its connection is closed");
    conn_close(k, c);
    return -1;
}

void reply_error(struct keeper *k, struct conn *c, const char *fmt, ...) {
    char msg[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    reply_begin();
    reply_add("error");
    reply_add(msg);
    reply_send(k, c);
}

// One small datagram (events); -1 with errno set when it cannot go out now.
int send_fields(int fd, const char *const *f, size_t n) {
    char buf[1024];
    size_t len = 0;
    for (size_t i = 0; i < n; i++) {
        size_t l = strlen(f[i]) + 1;
        if (len + l > sizeof buf) {
            errno = EMSGSIZE;
            return -1;
        }
        memcpy(buf + len, f[i], l);
        len += l;
    }
    ssize_t r;
    while ((r = send(fd, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT)) < 0 && errno == EINTR) {}
    return r < 0 ? -1 : 0;
}

static void want_out(struct keeper *k, struct conn *c, int on) {
    if (c->want_out == on) return;
    struct epoll_event ev = {.events = EPOLLIN | (on ? EPOLLOUT : 0),
                             .data.u64 = (uint64_t)(uintptr_t)c | TAG_CONN};
    epoll_ctl(k->epoll_fd, EPOLL_CTL_MOD, c->fd, &ev);
    c->want_out = on;
}

// Sends the subscriber every exit it has not had yet, oldest first.
void events_flush(struct keeper *k) {
    struct conn *c = k->subscriber;
    if (!c || c->dead) return;
    for (;;) {
        struct entry *next = NULL;
        for (size_t i = 0; i < k->n_entries; i++) {
            struct entry *e = k->entries[i];
            if (e->exited && e->seq > c->sent_upto && (!next || e->seq < next->seq)) next = e;
        }
        if (!next) break;
        char pid[16], status[16], ns[24];
        snprintf(pid, sizeof pid, "%d", (int)next->pid);
        snprintf(status, sizeof status, "%d", next->status);
        snprintf(ns, sizeof ns, "%" PRId64, next->finished_ns);
        const char *f[] = {"exit", next->id, pid, status, ns};
        if (send_fields(c->fd, f, 5) < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                want_out(k, c, 1);
                return;
            }
            conn_close(k, c);
            return;
        }
        c->sent_upto = next->seq;
    }
    want_out(k, c, 0);
}

void conn_close(struct keeper *k, struct conn *c) {
    if (c->dead) return;
    epoll_ctl(k->epoll_fd, EPOLL_CTL_DEL, c->fd, NULL);
    close(c->fd);
    c->dead = 1;
    if (k->subscriber == c) k->subscriber = NULL;
    if (k->daemon_conn == c) k->daemon_conn = NULL;
    for (size_t i = 0; i < k->n_conns; i++) {
        if (k->conns[i] != c) continue;
        k->conns[i] = k->conns[--k->n_conns];
        break;
    }
    k->dead_conns = xrealloc_array(k->dead_conns, &k->cap_dead_conns, k->n_dead_conns + 1,
                                   sizeof *k->dead_conns);
    k->dead_conns[k->n_dead_conns++] = c;
}

static int accept_one(struct keeper *k) {
    int fd = accept4(k->listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (fd < 0) {
        if (errno == EINTR || errno == ECONNABORTED) return 1;
        if ((errno == EMFILE || errno == ENFILE) && reserve_fd >= 0) {
            // Level-triggered epoll would report the pending connection forever: take it with
            // the reserved fd and drop it.
            klog(k, "out of file descriptors; a connection is refused");
            close(reserve_fd);
            fd = accept4(k->listen_fd, NULL, NULL, SOCK_CLOEXEC);
            if (fd >= 0) close(fd);
            reserve_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
            return 1;
        }
        return 0;
    }
    struct ucred cr;
    socklen_t len = sizeof cr;
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) < 0 || (cr.uid != 0 && cr.uid != geteuid())) {
        klog(k, "refused a connection from uid %d (pid %d): only root may talk to the keeper",
             (int)cr.uid, (int)cr.pid);
        close(fd);
        return 1;
    }
    if (k->n_conns >= KEEPER_MAX_CONNS) {
        klog(k, "refused a connection from pid %d: %d connections are open", (int)cr.pid, KEEPER_MAX_CONNS);
        close(fd);
        return 1;
    }
    // Room for a `list` of many datagrams and a burst of events (kernel memory, used on demand).
    int size = 1 << 20;
    if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &size, sizeof size) < 0)
        setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
    struct conn *c = calloc(1, sizeof *c);
    if (!c) abort();
    c->fd = fd;
    k->conns = xrealloc_array(k->conns, &k->cap_conns, k->n_conns + 1, sizeof *k->conns);
    k->conns[k->n_conns++] = c;
    if (epoll_watch(k, fd, EPOLLIN, (uint64_t)(uintptr_t)c | TAG_CONN) < 0) conn_close(k, c);
    return 1;
}

void conn_accept(struct keeper *k) {
    if (reserve_fd < 0) reserve_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    while (accept_one(k)) {}
}

static void close_fds(int *fds, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (fds[i] >= 0) close(fds[i]);
}

// Reads one datagram and acts on it: 1 when one was handled, 0 when none is waiting, -1 when
// the connection is gone.
static int recv_one(struct keeper *k, struct conn *c) {
    union {
        char buf[CMSG_SPACE(sizeof(int) * MAX_FDS)];
        struct cmsghdr align;
    } ctl;
    struct iovec v = {in_buf, sizeof in_buf};
    struct msghdr m = {.msg_iov = &v, .msg_iovlen = 1, .msg_control = ctl.buf, .msg_controllen = sizeof ctl.buf};
    ssize_t n;
    while ((n = recvmsg(c->fd, &m, MSG_DONTWAIT | MSG_CMSG_CLOEXEC)) < 0 && errno == EINTR) {}
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return 0;
    int fds[MAX_FDS];
    size_t nfds = 0;
    if (n >= 0) {
        for (struct cmsghdr *h = CMSG_FIRSTHDR(&m); h; h = CMSG_NXTHDR(&m, h)) {
            if (h->cmsg_level != SOL_SOCKET || h->cmsg_type != SCM_RIGHTS) continue;
            size_t count = (h->cmsg_len - CMSG_LEN(0)) / sizeof(int);
            for (size_t i = 0; i < count; i++) {
                int fd;
                memcpy(&fd, CMSG_DATA(h) + i * sizeof(int), sizeof fd);
                if (nfds < MAX_FDS) fds[nfds++] = fd;
                else close(fd);
            }
        }
    }
    if (n <= 0) {  // EOF (a client never sends an empty datagram) or a reset
        close_fds(fds, nfds);
        conn_close(k, c);
        return -1;
    }
    if (c->subscriber) {  // it only receives events now
        close_fds(fds, nfds);
        return 1;
    }
    if (m.msg_flags & MSG_TRUNC) {
        close_fds(fds, nfds);
        reply_error(k, c, "a request longer than 64 KiB");
        return 1;
    }
    if (m.msg_flags & MSG_CTRUNC) {
        close_fds(fds, nfds);
        reply_error(k, c, "a request with more than %d file descriptors", MAX_FDS);
        return 1;
    }
    if (in_buf[n - 1] != 0) {
        close_fds(fds, nfds);
        reply_error(k, c, "a malformed request: every field must end with a NUL byte");
        return 1;
    }
    size_t nf = 0;
    for (char *p = in_buf; p < in_buf + n; p += strlen(p) + 1) {
        if (nf == MAX_FIELDS) {
            close_fds(fds, nfds);
            reply_error(k, c, "a request with more than %d fields", MAX_FIELDS);
            return 1;
        }
        fields[nf++] = p;
    }
    fields[nf] = NULL;
    request(k, c, fields, nf, fds, nfds);
    close_fds(fds, nfds);  // request() set the ones it kept to -1
    return c->dead ? -1 : 1;
}

void conn_event(struct keeper *k, struct conn *c, uint32_t events) {
    if ((events & EPOLLOUT) && c == k->subscriber) events_flush(k);
    if (c->dead || !(events & (EPOLLIN | EPOLLHUP | EPOLLERR))) return;
    for (int i = 0; i < MESSAGES_PER_WAKEUP; i++)
        if (recv_one(k, c) <= 0) return;
}
