// Thin wrappers for the Swift side (parent only): each returns a value >= 0 or -errno, so that
// Swift turns failures into typed errors in one place.
#include "cshims.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#ifndef NSFS_MAGIC
#define NSFS_MAGIC 0x6e736673
#endif
#ifndef P_PIDFD
#define P_PIDFD 3
#endif

#define RET(expr) do { long _r = (long)(expr); return _r < 0 ? -errno : (int)_r; } while (0)

int sl_pidfd_open(pid_t pid) { RET(syscall(SYS_pidfd_open, pid, 0)); }

int sl_pidfd_send_signal(int pidfd, int sig) { RET(syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0)); }

int sl_pidfd_wait(int pidfd, int nohang, int *status) {
    siginfo_t info;
    memset(&info, 0, sizeof info);
    int r;
    do { r = waitid((idtype_t)P_PIDFD, (id_t)pidfd, &info, WEXITED | (nohang ? WNOHANG : 0)); } while (r < 0 && errno == EINTR);
    if (r < 0) return -errno;
    if (info.si_pid == 0) return -EAGAIN;
    switch (info.si_code) {
    case CLD_EXITED: *status = (info.si_status & 0xff) << 8; break;
    case CLD_KILLED: *status = info.si_status & 0x7f; break;
    case CLD_DUMPED: *status = (info.si_status & 0x7f) | 0x80; break;
    default: *status = 0; break;
    }
    return 0;
}

int sl_signals_block_all(void *oldset_out) {
    sigset_t all;
    sigfillset(&all);
    RET(pthread_sigmask(SIG_SETMASK, &all, (sigset_t *)oldset_out) == 0 ? 0 : -1);
}

int sl_signals_restore(const void *oldset) { RET(pthread_sigmask(SIG_SETMASK, (const sigset_t *)oldset, NULL) == 0 ? 0 : -1); }

int sl_signalfd_all(void) {
    sigset_t set;
    sigfillset(&set);
    sigdelset(&set, SIGKILL);
    sigdelset(&set, SIGSTOP);
    RET(signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK));
}

int sl_signalfd_read(int fd) {
    struct signalfd_siginfo si;
    ssize_t n;
    do { n = read(fd, &si, sizeof si); } while (n < 0 && errno == EINTR);
    if (n < 0) return -errno;
    if (n != (ssize_t)sizeof si) return -EIO;
    return (int)si.ssi_signo;
}

int sl_set_dumpable(int on) { RET(prctl(PR_SET_DUMPABLE, on ? 1 : 0, 0, 0, 0)); }

int sl_get_dumpable(void) { RET(prctl(PR_GET_DUMPABLE, 0, 0, 0, 0)); }

int sl_set_child_subreaper(void) { RET(prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)); }
int sl_clear_child_subreaper(void) { RET(prctl(PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0)); }

int sl_cap_last_cap(void) {
    int fd = open("/proc/sys/kernel/cap_last_cap", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return (int)cap_max_bits() - 1;   // libcap's compiled-in knowledge
    char buf[16];
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0) return (int)cap_max_bits() - 1;
    int v = 0;
    for (ssize_t i = 0; i < n && buf[i] >= '0' && buf[i] <= '9'; i++) v = v * 10 + (buf[i] - '0');
    return v;
}

int sl_cap_from_name(const char *name) {
    cap_value_t v;
    // libcap accepts "cap_chown"; OCI configs spell it "CAP_CHOWN".
    if (cap_from_name(name, &v) < 0) return -EINVAL;
    return (int)v;
}

int sl_close_range_cloexec(unsigned int first) { RET(syscall(SYS_close_range, first, ~0U, 4 /* CLOSE_RANGE_CLOEXEC */)); }

int sl_pipe_cloexec(int fds[2]) { RET(pipe2(fds, O_CLOEXEC)); }

int sl_socketpair_cloexec(int fds[2]) { RET(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds)); }

int sl_recv_fd(int sock) {
    char byte;
    struct iovec iov = {.iov_base = &byte, .iov_len = 1};
    union { struct cmsghdr hdr; char buf[CMSG_SPACE(sizeof(int))]; } ctl;
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf, .msg_controllen = sizeof ctl.buf};
    ssize_t n;
    do { n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC); } while (n < 0 && errno == EINTR);
    if (n < 0) return -errno;
    if (n == 0) return -EPIPE;
    struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
    if (!c || c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) return -EBADMSG;
    int fd;
    memcpy(&fd, CMSG_DATA(c), sizeof fd);
    return fd;
}

int sl_getrlimit(int resource, uint64_t *soft, uint64_t *hard) {
    struct rlimit64 rl;
    if (syscall(SYS_prlimit64, 0, resource, NULL, &rl) < 0) return -errno;
    *soft = rl.rlim_cur;
    *hard = rl.rlim_max;
    return 0;
}

int sl_open_ns_path(const char *path) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -errno;
    struct statfs sfs;
    if (fstatfs(fd, &sfs) < 0 || (unsigned long)sfs.f_type != NSFS_MAGIC) {
        // /proc/<pid>/ns/* and bind mounts of them live on nsfs; anything else is not a namespace.
        close(fd);
        return -EINVAL;
    }
    return fd;
}

int sl_setns(int fd, int nstype) { RET(setns(fd, nstype)); }

int sl_ns_type(int fd) { RET(ioctl(fd, NS_GET_NSTYPE)); }

int sl_tty_make_raw(int fd, void *saved) {
    struct termios t;
    if (tcgetattr(fd, &t) < 0) return -errno;
    memcpy(saved, &t, sizeof t);
    cfmakeraw(&t);
    t.c_oflag |= OPOST;   // keep output post-processing, as runc does
    RET(tcsetattr(fd, TCSANOW, &t));
}

int sl_tty_restore(int fd, const void *saved) { RET(tcsetattr(fd, TCSANOW, (const struct termios *)saved)); }

int sl_tty_copy_winsize(int from_fd, int to_fd) {
    struct winsize ws;
    if (ioctl(from_fd, TIOCGWINSZ, &ws) < 0) return -errno;
    RET(ioctl(to_fd, TIOCSWINSZ, &ws));
}

int sl_epoll_create(void) { RET(epoll_create1(EPOLL_CLOEXEC)); }

int sl_epoll_add(int epfd, int fd) {
    struct epoll_event ev = {.events = EPOLLIN | EPOLLHUP | EPOLLERR, .data.fd = fd};
    RET(epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev));
}

int sl_epoll_del(int epfd, int fd) { RET(epoll_ctl(epfd, EPOLL_CTL_DEL, fd, NULL)); }

int sl_epoll_wait(int epfd, int *ready_fds, int max, int timeout_ms) {
    struct epoll_event evs[64];
    if (max > 64) max = 64;
    int n = epoll_wait(epfd, evs, max, timeout_ms);
    if (n < 0) return -errno;
    for (int i = 0; i < n; i++) ready_fds[i] = evs[i].data.fd;
    return n;
}

int sl_eventfd(void) { RET(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)); }
