// The floor under a probe's CPU cost: the same HTTP exchange (or TCP connect) as swiftlet's
// probes, written as plainly as C allows, one every `gap_us` microseconds. Prints the CPU time
// (user+sys) per probe in microseconds. Usage: probe-floor http|tcp PORT COUNT GAP_US
#include <arpa/inet.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc != 5) return 2;
    int http = strcmp(argv[1], "http") == 0, port = atoi(argv[2]), count = atoi(argv[3]);
    struct timespec gap = {0, atol(argv[4]) * 1000};
    struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(port)};
    inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
    const char *req = "GET /index.html HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: kube-probe/1.35\r\n"
                      "Accept: */*\r\nConnection: close\r\n\r\n";
    char buf[16384];
    int failed = 0;
    for (int i = 0; i < count; i++) {
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        struct linger linger = {1, 1};
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &linger, sizeof linger);
        connect(fd, (struct sockaddr *)&to, sizeof to);
        struct pollfd p = {fd, POLLOUT, 0};
        int err = 0;
        socklen_t len = sizeof err;
        if (poll(&p, 1, 1000) != 1 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0 || err) failed++;
        if (http && !err) {
            if (write(fd, req, strlen(req)) < 0) failed++;
            for (p.events = POLLIN; poll(&p, 1, 1000) == 1 && read(fd, buf, sizeof buf) > 0;) {}
        }
        close(fd);
        nanosleep(&gap, NULL);
    }
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    double cpu = u.ru_utime.tv_sec + u.ru_utime.tv_usec / 1e6 + u.ru_stime.tv_sec + u.ru_stime.tv_usec / 1e6;
    printf("%.1f %d\n", cpu / count * 1e6, failed);
    return 0;
}
