// The last steps before execve, shared by a container's init and by exec'd processes:
// oom_score_adj, working directory, identity and capabilities, no_new_privs, fds, umask, rlimits, seccomp,
// and the PATH search of the executable. Async-signal-safe: raw syscalls only. In
// particular setresuid/setresgid/setgroups go straight to the kernel: glibc's wrappers would
// try to signal the parent's other threads, which do not exist in this child.
#include "child.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/close_range.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static void set_identity_and_caps(const struct sl_process *p, int efd) {
    const struct sl_caps *c = &p->caps;
    // Keep the permitted set across the uid change; capset below decides the final sets.
    if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0) sl__die(efd, SL_STAGE_KEEPCAPS, errno, -1);
    for (int cap = 0; cap <= c->last_cap; cap++) {
        if (c->bounding & (1ULL << cap)) continue;
        if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL) sl__die(efd, SL_STAGE_CAP_BOUNDING, errno, cap);
    }
    if (syscall(SYS_setgroups, (size_t)p->n_additional_gids, p->additional_gids) < 0)
        sl__die(efd, SL_STAGE_SETGROUPS, errno, -1);
    if (syscall(SYS_setresgid, p->gid, p->gid, p->gid) < 0) sl__die(efd, SL_STAGE_SETGID, errno, -1);
    if (syscall(SYS_setresuid, p->uid, p->uid, p->uid) < 0) sl__die(efd, SL_STAGE_SETUID, errno, -1);

    struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
    struct __user_cap_data_struct data[2];
    memset(data, 0, sizeof data);
    for (int i = 0; i < 2; i++) {
        data[i].effective = (uint32_t)(c->effective >> (32 * i));
        data[i].permitted = (uint32_t)(c->permitted >> (32 * i));
        data[i].inheritable = (uint32_t)(c->inheritable >> (32 * i));
    }
    if (syscall(SYS_capset, &hdr, data) < 0) sl__die(efd, SL_STAGE_CAPSET, errno, -1);
    if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0) sl__die(efd, SL_STAGE_KEEPCAPS, errno, -1);
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
        sl__die(efd, SL_STAGE_CAP_AMBIENT, errno, -1);
    for (int cap = 0; cap <= c->last_cap; cap++) {
        if (!(c->ambient & (1ULL << cap))) continue;
        if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) < 0) sl__die(efd, SL_STAGE_CAP_AMBIENT, errno, cap);
    }
}

// The working directory is looked up inside the new root without magic links, so a cwd such
// as /proc/self/fd/7 cannot reach an fd leaked from the host (CVE-2024-21626).
static void enter_cwd(const char *cwd, int efd) {
    int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (root < 0) sl__die(efd, SL_STAGE_CWD, errno, -1);
    int dir = sl__resolve_in_root(root, cwd, SL_CREATE_NONE, 0);
    close(root);
    if (dir < 0) sl__die(efd, SL_STAGE_CWD, -dir, -1);
    struct stat st;
    if (fstat(dir, &st) < 0) sl__die(efd, SL_STAGE_CWD, errno, -1);
    if (!S_ISDIR(st.st_mode)) sl__die(efd, SL_STAGE_CWD, ENOTDIR, -1);
    if (fchdir(dir) < 0) sl__die(efd, SL_STAGE_CWD, errno, -1);
    close(dir);
}

static const char *env_path(const char *const *envp) {
    for (; envp && *envp; envp++) {
        const char *e = *envp;
        if (e[0] == 'P' && e[1] == 'A' && e[2] == 'T' && e[3] == 'H' && e[4] == '=') return e + 5;
    }
    return "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
}

// An executable candidate: a regular file the (already switched) user may execute.
static int check_executable(const char *path) {
    struct stat st;
    if (stat(path, &st) < 0) return errno;
    if (!S_ISREG(st.st_mode)) return EACCES;
    if (access(path, X_OK) < 0) return errno;
    return 0;
}

// execvpe's search without malloc: the first PATH entry holding an executable wins; otherwise the
// most telling error (EACCES over ENOENT, as the shell does). Done before `create` reports ready,
// so "executable file not found" is create's error, as with runc, not a silent exit after start.
static int resolve_executable(const char *file, const char *const *envp, char *out, size_t size) {
    size_t flen = sl__strlen(file);
    for (const char *s = file; *s; s++) {
        if (*s == '/') {
            if (flen + 1 > size) return ENAMETOOLONG;
            memcpy(out, file, flen + 1);
            return check_executable(out);
        }
    }
    if (flen == 0) return ENOENT;
    int best = ENOENT;
    const char *path = env_path(envp);
    while (1) {
        const char *end = path;
        while (*end && *end != ':') end++;
        size_t dlen = (size_t)(end - path);
        if (dlen + 1 + flen + 1 <= size) {
            if (dlen == 0) { out[0] = '.'; dlen = 1; } else memcpy(out, path, dlen);
            out[dlen] = '/';
            memcpy(out + dlen + 1, file, flen + 1);
            int err = check_executable(out);
            if (err == 0) return 0;
            if (err == EACCES) best = EACCES;
            else if (err != ENOENT && err != ENOTDIR && best != EACCES) best = err;
        }
        if (!*end) break;
        path = end + 1;
    }
    return best;
}

// dup2 the requested fds onto 0, 1, 2. A requested fd that sits on 0..2 itself is moved out of
// the way first, so that one dup2 cannot overwrite the source of the next.
static void redirect_stdio(const struct sl_process *p, int efd) {
    int src[3];
    for (int i = 0; i < 3; i++) {
        src[i] = p->stdio_fds[i];
        if (src[i] >= 0 && src[i] <= 2 && src[i] != i) {
            src[i] = fcntl(src[i], F_DUPFD_CLOEXEC, 3);
            if (src[i] < 0) sl__die(efd, SL_STAGE_CLOSE_FDS, errno, i);
        }
    }
    for (int i = 0; i < 3; i++) {
        if (src[i] >= 0 && src[i] != i && dup2(src[i], i) < 0) sl__die(efd, SL_STAGE_CLOSE_FDS, errno, i);
    }
}

// Every fd the runtime holds (namespaces, cgroups, the rootfs, sockets, the caller's) must not
// reach the container: only stdio and the fds passed on purpose survive. Marked close-on-exec;
// an init that waits for `start` closes them now, since it may wait for long and a caller
// (a test harness, go-runc) can be waiting for one of them to close.
static void release_fds(const struct sl_process *p, int efd) {
    unsigned int first = 3 + (unsigned int)p->preserve_fds;
    if (p->wait_start) {
        int keep[2] = {efd < p->start_fd ? efd : p->start_fd, efd < p->start_fd ? p->start_fd : efd};
        unsigned int lo = first;
        for (int i = 0; i < 2; i++) {
            if (keep[i] < 0 || (unsigned int)keep[i] < lo) continue;
            if ((unsigned int)keep[i] > lo && syscall(SYS_close_range, lo, (unsigned int)keep[i] - 1, 0) < 0)
                sl__die(efd, SL_STAGE_CLOSE_FDS, errno, -1);
            lo = (unsigned int)keep[i] + 1;
        }
        if (syscall(SYS_close_range, lo, ~0U, 0) < 0) sl__die(efd, SL_STAGE_CLOSE_FDS, errno, -1);
    }
    if (syscall(SYS_close_range, first, ~0U, CLOSE_RANGE_CLOEXEC) < 0) sl__die(efd, SL_STAGE_CLOSE_FDS, errno, -1);
    for (int fd = 3; fd < (int)first; fd++) {
        int flags = fcntl(fd, F_GETFD);
        if (flags >= 0) fcntl(fd, F_SETFD, flags & ~FD_CLOEXEC);
    }
}

static void load_seccomp(const struct sl_process *p, int efd) {
    if (!p->seccomp_filter) return;
    int r = sl_seccomp_load(p->seccomp_filter, p->seccomp_len, p->seccomp_flags);
    if (r < 0) sl__die(efd, SL_STAGE_SECCOMP, -r, -1);
}

// `create`: tell the runtime the container is ready, then wait for `start`. The runtime exits
// after "ready", so the error pipe is gone from here on: a later failure is only an exit 127.
static void wait_for_start(const struct sl_process *p, int *efd) {
    struct sl_child_error ready = {.stage = SL_STAGE_READY, .err = 0, .index = -1, .pad = 0};
    ssize_t n;
    do { n = write(*efd, &ready, sizeof ready); } while (n < 0 && errno == EINTR);
    if (n != (ssize_t)sizeof ready) _exit(127);
    close(*efd);
    *efd = -1;
    char byte;
    do { n = read(p->start_fd, &byte, 1); } while (n < 0 && errno == EINTR);
    if (n != 1) _exit(127);
    close(p->start_fd);
}

void sl__finish_process(const struct sl_process *p, int efd) {
    redirect_stdio(p, efd);
    if (p->oom_score_adj_set) {
        char buf[24];
        int v = p->oom_score_adj, n = 0;
        if (v < 0) { buf[n++] = '-'; v = -v; }
        sl__utoa((unsigned long)v, buf + n);
        int fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
        if (fd < 0 || write(fd, buf, sl__strlen(buf)) < 0) sl__die(efd, SL_STAGE_OOM_SCORE, errno, -1);
        close(fd);
    }
    enter_cwd(p->cwd ? p->cwd : "/", efd);
    // Before any seccomp filter: older profiles (Docker's before 2020) do not allow close_range.
    release_fds(p, efd);
    // seccomp(2) needs no_new_privs or CAP_SYS_ADMIN: without no_new_privs the filter is loaded
    // while the capability is still held, before the drop (runc does the same). With it, as
    // late as possible, so the profile governs as few of our own syscalls as possible.
    if (!p->no_new_privileges) load_seccomp(p, efd);
    set_identity_and_caps(p, efd);
    if (p->no_new_privileges && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) sl__die(efd, SL_STAGE_NO_NEW_PRIVS, errno, -1);
    umask((mode_t)p->umask);
    // rlimits after every open of ours: the child still holds the runtime's fds until execve, and
    // a supervisor of many pods holds more than a container's RLIMIT_NOFILE (often 1024) allows,
    // so an open under the lowered limit would fail with EMFILE. Lowering needs no capability;
    // limits above the runtime's own hard limit were refused before the clone.
    for (int i = 0; i < p->n_rlimits; i++) {
        struct rlimit64 rl = {.rlim_cur = p->rlimits[i].soft, .rlim_max = p->rlimits[i].hard};
        if (syscall(SYS_prlimit64, 0, p->rlimits[i].resource, &rl, NULL) < 0) sl__die(efd, SL_STAGE_RLIMIT, errno, i);
    }
    if (p->exec_by_fd) {
        if (p->no_new_privileges) load_seccomp(p, efd);
        syscall(SYS_execveat, p->exec_fd, "", p->argv, p->envp, AT_EMPTY_PATH);
        sl__die(efd, SL_STAGE_EXEC, errno, -1);
    }
    char resolved[4096];
    int err = resolve_executable(p->path, p->envp, resolved, sizeof resolved);
    if (err) sl__die(efd, SL_STAGE_EXEC, err, -1);
    if (p->no_new_privileges) load_seccomp(p, efd);
    if (p->wait_start) wait_for_start(p, &efd);
    syscall(SYS_execve, resolved, p->argv, p->envp);
    sl__die(efd, SL_STAGE_EXEC, errno, -1);
}
