// The container's terminal: a pty allocated from the container's own devpts instance (so its
// slave is visible inside as /dev/pts/N), the master sent to the runtime over a unix socket,
// the slave made the controlling terminal and stdio, and bound over /dev/console.
#include "child.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <termios.h>
#include <unistd.h>

static int send_fd(int sock, int fd) {
    char byte = 0;
    struct iovec iov = {.iov_base = &byte, .iov_len = 1};
    union { struct cmsghdr hdr; char buf[CMSG_SPACE(sizeof(int))]; } ctl;
    memset(&ctl, 0, sizeof ctl);
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf, .msg_controllen = sizeof ctl.buf};
    struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(c), &fd, sizeof fd);
    ssize_t n;
    do { n = sendmsg(sock, &msg, MSG_NOSIGNAL); } while (n < 0 && errno == EINTR);
    return n < 0 ? -errno : 0;
}

void sl__setup_console(int rootfd, int console_socket_fd, int bind_dev_console, int efd) {
    // The multiplexer of the container's own devpts instance, opened through its resolved
    // directory without following a symlink planted in place of the node.
    int dir = sl__resolve_in_root(rootfd, "/dev/pts", SL_CREATE_NONE, RESOLVE_NO_SYMLINKS);
    if (dir < 0) sl__die(efd, SL_STAGE_CONSOLE, -dir, -1);
    int master = openat(dir, "ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC | O_NOFOLLOW);
    close(dir);
    if (master < 0) sl__die(efd, SL_STAGE_CONSOLE, errno, -1);
    int unlock = 0;
    if (ioctl(master, TIOCSPTLCK, &unlock) < 0) sl__die(efd, SL_STAGE_CONSOLE, errno, -1);
    int slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (slave < 0) sl__die(efd, SL_STAGE_CONSOLE, errno, -1);

    if (bind_dev_console) {
        unsigned int n = 0;
        if (ioctl(master, TIOCGPTN, &n) < 0) sl__die(efd, SL_STAGE_CONSOLE, errno, -1);
        char name[24];
        sl__utoa(n, name);
        int pts = sl__resolve_in_root(rootfd, "/dev/pts", SL_CREATE_NONE, RESOLVE_NO_SYMLINKS);
        if (pts < 0) sl__die(efd, SL_STAGE_CONSOLE, -pts, -1);
        int tree = (int)syscall(SYS_open_tree, pts, name, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
        if (tree < 0) sl__die(efd, SL_STAGE_CONSOLE, errno, -1);
        int console = sl__resolve_in_root(rootfd, "/dev/console", SL_CREATE_FILE, RESOLVE_NO_SYMLINKS);
        if (console < 0) sl__die(efd, SL_STAGE_CONSOLE, -console, -1);
        if (syscall(SYS_move_mount, tree, "", console, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
            sl__die(efd, SL_STAGE_CONSOLE, errno, -1);
        close(tree);
        close(console);
        close(pts);
    }
    int r = send_fd(console_socket_fd, master);
    if (r < 0) sl__die(efd, SL_STAGE_CONSOLE, -r, -1);
    close(master);
    if (ioctl(slave, TIOCSCTTY, 0) < 0) sl__die(efd, SL_STAGE_CONSOLE, errno, -1);
    for (int fd = 0; fd < 3; fd++) {
        if (dup2(slave, fd) < 0) sl__die(efd, SL_STAGE_CONSOLE, errno, -1);
    }
    if (slave > 2) close(slave);
}
