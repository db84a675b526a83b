/* kubia-unhealthy: the "Kubernetes in Action" liveness-probe demo app (luksa/kubia-unhealthy),
 * rebuilt as one small static C program.
 *
 * An HTTP/1.1 server on 0.0.0.0:8080 ($PORT overrides the port). The first 5 requests get
 * "200 OK" and "You've hit <hostname>\n"; every later one gets "500 Internal Server Error" and
 * "I'm not well. Please restart me!\n", so a liveness probe fails from the 6th request on and
 * the container is restarted. One line per request on stdout: "Received request from <ip>".
 *
 * Connections are served one at a time and always closed (Connection: close). A request must
 * arrive complete within 2 seconds and fit in 8 KiB; a malformed one gets 400 and, as in the
 * original node app, is not counted. A connection that sends nothing (a TCP probe) is not
 * counted either. SIGTERM and SIGINT end the server with status 0, also in the middle of a
 * request: both are blocked except while waiting in ppoll(), so no signal is lost and no
 * system call is interrupted anywhere else.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_PORT     8080
#define HEALTHY_REQUESTS 5
#define REQUEST_MAX      8192    /* request line + headers */
#define IO_TIMEOUT_MS    2000    /* whole request read; whole response write */

static volatile sig_atomic_t stop_signal;
static sigset_t wait_mask;       /* the signal mask while waiting in ppoll: TERM/INT deliverable */

static void on_signal(int sig)
{
        stop_signal = sig;
}

__attribute__((format(printf, 1, 2)))
static void logf_out(const char *fmt, ...)
{
        va_list ap;

        va_start(ap, fmt);
        vfprintf(stdout, fmt, ap);
        va_end(ap);
        if (fflush(stdout) != 0)
                clearerr(stdout);  /* nobody reads our stdout: keep serving anyway */
}

static void die(const char *what)
{
        fprintf(stderr, "kubia: %s: %s\n", what, strerror(errno));
        exit(1);
}

static struct timespec deadline_after(int ms)
{
        struct timespec t;

        clock_gettime(CLOCK_MONOTONIC, &t);
        t.tv_sec += ms / 1000;
        t.tv_nsec += (long)(ms % 1000) * 1000000L;
        if (t.tv_nsec >= 1000000000L) {
                t.tv_sec++;
                t.tv_nsec -= 1000000000L;
        }
        return t;
}

/* Waits until fd is ready for events or the deadline (NULL: none) passes.
 * Returns 1 when ready (or in error, which the next recv/send/accept reports), 0 on timeout,
 * -1 when a stop signal arrived or ppoll failed. */
static int wait_fd(int fd, short events, const struct timespec *deadline)
{
        for (;;) {
                struct timespec left, *timeout = NULL;
                struct pollfd p = { .fd = fd, .events = events };
                int n;

                if (stop_signal)
                        return -1;
                if (deadline) {
                        struct timespec now;

                        clock_gettime(CLOCK_MONOTONIC, &now);
                        left.tv_sec = deadline->tv_sec - now.tv_sec;
                        left.tv_nsec = deadline->tv_nsec - now.tv_nsec;
                        if (left.tv_nsec < 0) {
                                left.tv_sec--;
                                left.tv_nsec += 1000000000L;
                        }
                        if (left.tv_sec < 0)
                                return 0;
                        timeout = &left;
                }
                n = ppoll(&p, 1, timeout, &wait_mask);
                if (n > 0)
                        return 1;
                if (n == 0)
                        return 0;
                if (errno != EINTR)
                        return -1;
        }
}

static bool send_all(int fd, const char *buf, size_t len)
{
        struct timespec deadline = deadline_after(IO_TIMEOUT_MS);

        while (len > 0) {
                ssize_t n = send(fd, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT);

                if (n > 0) {
                        buf += n;
                        len -= (size_t)n;
                } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
                        if (wait_fd(fd, POLLOUT, &deadline) <= 0)
                                return false;
                } else {
                        return false;
                }
        }
        return true;
}

static void respond(int fd, int status, const char *reason, const char *body, bool head_only)
{
        char out[1024], date[64];
        size_t body_len = strlen(body);
        time_t now = time(NULL);
        struct tm tm;
        int n;

        if (!gmtime_r(&now, &tm) || strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S GMT", &tm) == 0)
                date[0] = '\0';
        n = snprintf(out, sizeof(out),
                     "HTTP/1.1 %d %s\r\n"
                     "%s%s%s"
                     "Content-Type: text/plain; charset=utf-8\r\n"
                     "Content-Length: %zu\r\n"
                     "Connection: close\r\n"
                     "\r\n"
                     "%s",
                     status, reason,
                     date[0] ? "Date: " : "", date, date[0] ? "\r\n" : "",
                     body_len, head_only ? "" : body);
        if (n < 0 || (size_t)n >= sizeof(out))
                return;  /* cannot happen with our bodies; never send a truncated response */
        if (!send_all(fd, out, (size_t)n))
                return;

        /* Closing a socket with unread input makes the kernel send RST, which may destroy the
         * response before the client reads it: end our side, then discard what already came. */
        shutdown(fd, SHUT_WR);
        for (int i = 0; i < 16; i++) {
                char sink[4096];

                if (recv(fd, sink, sizeof(sink), MSG_DONTWAIT) <= 0)
                        break;
        }
}

/* RFC 9110 token characters (method, header names). */
static bool is_tchar(unsigned char c)
{
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
               (c && strchr("!#$%&'*+-.^_`|~", c));
}

/* Returns the length of line [p, end) without its "\n" or "\r\n"; *next is set past it.
 * The caller guarantees a '\n' in [p, end). */
static size_t line_at(const char *p, const char *end, const char **next)
{
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t len = (size_t)(nl - p);

        *next = nl + 1;
        if (len > 0 && p[len - 1] == '\r')
                len--;
        return len;
}

/* Checks a complete request head (ending with an empty line). Sets *head for HEAD requests. */
static bool parse_request(const char *buf, size_t len, bool *head)
{
        const char *p = buf, *end = buf + len, *next;
        size_t n, i, method_len, target_start;

        if (memchr(buf, '\0', len))
                return false;
        /* RFC 9112 2.2: ignore empty lines before the request line. */
        while ((n = line_at(p, end, &next)) == 0)
                p = next;

        /* method SP request-target SP HTTP/d.d */
        for (i = 0; i < n && is_tchar((unsigned char)p[i]); i++)
                ;
        if (i == 0 || i == n || p[i] != ' ')
                return false;
        method_len = i++;
        target_start = i;
        for (; i < n && (unsigned char)p[i] > ' ' && (unsigned char)p[i] < 0x7f; i++)
                ;
        if (i == target_start || i == n || p[i] != ' ')
                return false;
        i++;
        if (n - i != 8 || memcmp(p + i, "HTTP/", 5) != 0 || p[i + 5] < '0' || p[i + 5] > '9' ||
            p[i + 6] != '.' || p[i + 7] < '0' || p[i + 7] > '9')
                return false;
        *head = method_len == 4 && memcmp(p, "HEAD", 4) == 0;

        /* field-name ":" field-value, up to the empty line */
        for (p = next; (n = line_at(p, end, &next)) > 0; p = next) {
                for (i = 0; i < n && is_tchar((unsigned char)p[i]); i++)
                        ;
                if (i == 0 || i == n || p[i] != ':')
                        return false;
                for (i++; i < n; i++) {
                        unsigned char c = (unsigned char)p[i];

                        if ((c < ' ' && c != '\t') || c == 0x7f)
                                return false;
                }
        }
        return true;
}

/* Returns the length of the request head in buf[0, len) through its empty line, or 0 if it is
 * not complete yet. Empty lines before the request line are skipped (RFC 9112 2.2). *from keeps
 * where to resume between calls (0 at first), so a client trickling bytes costs linear time. */
static size_t head_length(const char *buf, size_t len, size_t *from)
{
        size_t start = *from, i;

        if (start == 0) {
                while (start < len && (buf[start] == '\r' || buf[start] == '\n'))
                        start++;
                if (start == len)
                        return 0;  /* only blank lines so far: skip them again next time */
        }
        for (i = start; i < len; i++) {
                size_t j = i + 1;

                if (buf[i] != '\n')
                        continue;
                if (j < len && buf[j] == '\r')
                        j++;
                if (j < len && buf[j] == '\n')
                        return j + 1;
        }
        /* Resume at the last two bytes: they may begin the empty line ("\n" or "\n\r"). */
        *from = len - start >= 2 ? len - 2 : start;
        return 0;
}

static void serve(int fd, const struct sockaddr_in *peer)
{
        static unsigned long long requests;
        struct timespec deadline = deadline_after(IO_TIMEOUT_MS);
        char buf[REQUEST_MAX], ip[INET_ADDRSTRLEN], host[256], body[sizeof(host) + 32];
        size_t len = 0, from = 0, head_len;
        bool head = false;

        while ((head_len = head_length(buf, len, &from)) == 0) {
                ssize_t n;

                if (len == sizeof(buf)) {
                        respond(fd, 431, "Request Header Fields Too Large",
                                "Request Header Fields Too Large\n", false);
                        return;
                }
                if (wait_fd(fd, POLLIN, &deadline) <= 0)
                        return;  /* silent client, or stopping */
                n = recv(fd, buf + len, sizeof(buf) - len, MSG_DONTWAIT);
                if (n == 0)
                        return;  /* closed before a whole request: a TCP probe, say */
                if (n < 0) {
                        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
                                continue;
                        return;
                }
                len += (size_t)n;
        }
        if (!parse_request(buf, head_len, &head)) {
                respond(fd, 400, "Bad Request", "Bad Request\n", false);
                return;
        }

        if (!inet_ntop(AF_INET, &peer->sin_addr, ip, sizeof(ip)))
                snprintf(ip, sizeof(ip), "?");
        logf_out("Received request from %s\n", ip);
        if (requests >= HEALTHY_REQUESTS) {
                respond(fd, 500, "Internal Server Error", "I'm not well. Please restart me!\n", head);
                return;
        }
        requests++;
        if (gethostname(host, sizeof(host)) != 0)
                snprintf(host, sizeof(host), "unknown");
        host[sizeof(host) - 1] = '\0';
        snprintf(body, sizeof(body), "You've hit %s\n", host);
        respond(fd, 200, "OK", body, head);
}

static int parse_port(void)
{
        const char *s = getenv("PORT");
        char *end;
        long v;

        if (!s || !*s)
                return DEFAULT_PORT;
        errno = 0;
        v = strtol(s, &end, 10);
        if (errno || *end || v < 1 || v > 65535) {
                fprintf(stderr, "kubia: PORT=%s: not a port number (1-65535)\n", s);
                exit(2);
        }
        return (int)v;
}

int main(void)
{
        struct sockaddr_in addr = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_ANY) };
        struct sigaction sa = { .sa_handler = on_signal };
        sigset_t stop_set;
        int port = parse_port(), one = 1, lfd;

        signal(SIGPIPE, SIG_IGN);
        sigemptyset(&stop_set);
        sigaddset(&stop_set, SIGTERM);
        sigaddset(&stop_set, SIGINT);
        if (sigprocmask(SIG_BLOCK, &stop_set, &wait_mask) != 0)
                die("sigprocmask");
        sigdelset(&wait_mask, SIGTERM);
        sigdelset(&wait_mask, SIGINT);
        sigfillset(&sa.sa_mask);
        if (sigaction(SIGTERM, &sa, NULL) != 0 || sigaction(SIGINT, &sa, NULL) != 0)
                die("sigaction");

        lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (lfd < 0)
                die("socket");
        if (setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0)
                die("setsockopt SO_REUSEADDR");
        addr.sin_port = htons((unsigned short)port);
        if (bind(lfd, (struct sockaddr *)&addr, sizeof(addr)) != 0) {
                fprintf(stderr, "kubia: bind 0.0.0.0:%d: %s\n", port, strerror(errno));
                return 1;
        }
        if (listen(lfd, SOMAXCONN) != 0)
                die("listen");
        logf_out("Kubia server starting on port %d...\n", port);

        for (;;) {
                struct sockaddr_in peer;
                socklen_t peer_len = sizeof(peer);
                int fd;

                if (wait_fd(lfd, POLLIN, NULL) < 0) {
                        if (stop_signal)
                                break;
                        die("ppoll");
                }
                memset(&peer, 0, sizeof(peer));
                fd = accept4(lfd, (struct sockaddr *)&peer, &peer_len, SOCK_CLOEXEC);
                if (fd < 0) {
                        switch (errno) {
                        case EMFILE: case ENFILE: case ENOBUFS: case ENOMEM: {
                                /* out of resources: back off a little instead of spinning */
                                struct timespec pause = { 0, 100 * 1000000L };
                                nanosleep(&pause, NULL);
                                continue;
                        }
                        case EAGAIN: case EINTR: case ECONNABORTED: case EPROTO: case EPERM:
                        case ENETDOWN: case ENOPROTOOPT: case EHOSTDOWN: case ENONET:
                        case EHOSTUNREACH: case EOPNOTSUPP: case ENETUNREACH:
                                continue;  /* the connection went away; see accept(2) */
                        default:
                                die("accept");
                        }
                }
                serve(fd, &peer);
                close(fd);
        }
        logf_out("Kubia server stopping (signal %d)\n", (int)stop_signal);
        return 0;
}
