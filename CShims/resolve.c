// Resolving paths inside the container's root without ever leaving it.
//
// Every mount target, device node and masked path is looked up with openat2(RESOLVE_IN_ROOT |
// RESOLVE_NO_MAGICLINKS) relative to an fd of the rootfs, so a symlink in the image (say
// /proc -> /host/etc, or ../../..) is resolved as if the rootfs were "/" and can never point
// at the host (CVE-2021-30465 and its class). Missing directories are created one component
// at a time, each through an fd of its resolved parent. All of this runs in the child: stack
// buffers only.
#include "child.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define SL_PATH_MAX 4096

size_t sl__strlen(const char *s) {
    size_t n = 0;
    while (s[n]) n++;
    return n;
}

char *sl__utoa(unsigned long v, char *buf) {
    char tmp[21];
    int n = 0;
    do { tmp[n++] = (char)('0' + v % 10); v /= 10; } while (v);
    for (int i = 0; i < n; i++) buf[i] = tmp[n - 1 - i];
    buf[n] = 0;
    return buf;
}

int sl__openat2_in_root(int rootfd, const char *path, int flags, int extra_resolve) {
    struct open_how how;
    memset(&how, 0, sizeof how);
    how.flags = (uint64_t)(flags | O_CLOEXEC);
    how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | (uint64_t)extra_resolve;
    long fd;
    do { fd = syscall(SYS_openat2, rootfd, path, &how, sizeof how); } while (fd < 0 && errno == EAGAIN);
    return fd < 0 ? -errno : (int)fd;
}

// Copies path into buf, dropping repeated slashes; returns the length or -ENAMETOOLONG.
static int normalize(const char *path, char *buf) {
    size_t n = 0;
    for (size_t i = 0; path[i]; i++) {
        if (path[i] == '/' && n > 0 && buf[n - 1] == '/') continue;
        if (n + 1 >= SL_PATH_MAX) return -ENAMETOOLONG;
        buf[n++] = path[i];
    }
    while (n > 1 && buf[n - 1] == '/') n--;
    buf[n] = 0;
    return (int)n;
}

// mkdir -p of buf's prefixes, each created through its resolved parent.
static int make_dirs(int rootfd, char *buf, size_t len) {
    for (size_t i = 1; i <= len; i++) {
        if (i != len && buf[i] != '/') continue;
        char saved = buf[i];
        buf[i] = 0;
        int fd = sl__openat2_in_root(rootfd, buf, O_PATH | O_DIRECTORY, 0);
        if (fd == -ENOENT) {
            // Create the component inside its (already resolved) parent.
            char *slash = strrchr(buf, '/');
            int parent;
            if (slash == buf) {
                parent = sl__openat2_in_root(rootfd, "/", O_PATH | O_DIRECTORY, 0);
            } else {
                *slash = 0;
                parent = sl__openat2_in_root(rootfd, buf, O_PATH | O_DIRECTORY, 0);
                *slash = '/';
            }
            if (parent < 0) { buf[i] = saved; return parent; }
            int r = mkdirat(parent, slash + 1, 0755);
            int err = errno;
            close(parent);
            // EEXIST: a dangling symlink or a racing creator; the lookup below decides.
            if (r < 0 && err != EEXIST) { buf[i] = saved; return -err; }
            fd = sl__openat2_in_root(rootfd, buf, O_PATH | O_DIRECTORY, 0);
        }
        buf[i] = saved;
        if (fd < 0) return fd;
        close(fd);
    }
    return 0;
}

int sl__resolve_parent_in_root(int rootfd, const char *path, const char **last) {
    char buf[SL_PATH_MAX];
    int n = normalize(path, buf);
    if (n < 0) return n;
    char *slash = strrchr(buf, '/');
    if (!slash || slash[1] == 0) return -EINVAL;
    // The last component, taken from the caller's string so that it outlives our buffer.
    const char *p = path + sl__strlen(path);
    while (p > path && p[-1] == '/') p--;
    const char *q = p;
    while (q > path && q[-1] != '/') q--;
    *last = q;
    if (slash == buf) return sl__openat2_in_root(rootfd, "/", O_PATH | O_DIRECTORY, 0);
    *slash = 0;
    int r = make_dirs(rootfd, buf, (size_t)(slash - buf));
    if (r < 0) return r;
    return sl__openat2_in_root(rootfd, buf, O_PATH | O_DIRECTORY, 0);
}

int sl__resolve_in_root(int rootfd, const char *path, int create, int extra_resolve) {
    int fd = sl__openat2_in_root(rootfd, path, O_PATH, extra_resolve);
    if (fd != -ENOENT || create == SL_CREATE_NONE) return fd;
    if (create == SL_CREATE_DIR) {
        char buf[SL_PATH_MAX];
        int n = normalize(path, buf);
        if (n < 0) return n;
        int r = make_dirs(rootfd, buf, (size_t)n);
        if (r < 0) return r;
    } else {
        const char *last;
        int parent = sl__resolve_parent_in_root(rootfd, path, &last);
        if (parent < 0) return parent;
        // O_NOFOLLOW|O_EXCL: never create a file through a symlink planted at the target.
        int f = openat(parent, last, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0644);
        int err = errno;
        close(parent);
        if (f < 0 && err != EEXIST) return -err;
        if (f >= 0) close(f);
    }
    return sl__openat2_in_root(rootfd, path, O_PATH, extra_resolve);
}
