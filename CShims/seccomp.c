// seccomp, split in two halves.
//
// The parent compiles: libseccomp turns the OCI rules into a classic BPF program, exported into
// a plain malloc'd struct sock_filter[]. libseccomp allocates and is not async-signal-safe, so
// none of it may run in the child. The child only loads: sl_seccomp_load is a single syscall
// on a stack sock_fprog pointing at the parent's buffer (still mapped in the copy-on-write
// child), and is the last thing before execve so the filter does not constrain our own setup.
#include "cshims.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

struct sl_seccomp {
    scmp_filter_ctx ctx;
    uint32_t default_action;   // libseccomp refuses rules that repeat it; we skip them instead
};

sl_seccomp *sl_seccomp_new(uint32_t default_action, int *err) {
    sl_seccomp *f = malloc(sizeof(*f));
    if (f == NULL) {
        *err = -ENOMEM;
        return NULL;
    }
    f->default_action = default_action;
    f->ctx = seccomp_init(default_action);   // the native arch is included
    if (f->ctx == NULL) {
        free(f);
        *err = -EINVAL;                      // the only reason besides ENOMEM: a bad action
        return NULL;
    }
    // The child sets no_new_privs itself, and only when the config asks for it: loading a
    // filter as root (CAP_SYS_ADMIN) does not need it, so the exported program must not imply it.
    int rc = seccomp_attr_set(f->ctx, SCMP_FLTATR_CTL_NNP, 0);
    if (rc < 0) {
        seccomp_release(f->ctx);
        free(f);
        *err = rc;
        return NULL;
    }
    *err = 0;
    return f;
}

int sl_seccomp_add_arch(sl_seccomp *f, const char *arch_name) {
    // libseccomp names are lower case without the OCI prefix: SCMP_ARCH_X86_64 -> x86_64.
    static const char prefix[] = "SCMP_ARCH_";
    char name[32];
    if (strncmp(arch_name, prefix, sizeof(prefix) - 1) == 0)
        arch_name += sizeof(prefix) - 1;
    size_t n = strlen(arch_name);
    if (n == 0 || n >= sizeof(name))
        return -EINVAL;
    for (size_t i = 0; i <= n; i++) {
        char c = arch_name[i];
        name[i] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
    }
    uint32_t arch = seccomp_arch_resolve_name(name);
    if (arch == 0)
        return -EINVAL;
    int rc = seccomp_arch_add(f->ctx, arch);
    return rc == -EEXIST ? 0 : rc;
}

int sl_seccomp_add_rule(sl_seccomp *f, const char *syscall_name, uint32_t action,
                        const struct sl_seccomp_arg *args, uint32_t n_args) {
    struct scmp_arg_cmp cmps[6];
    if (n_args > 6)
        return -E2BIG;
    int nr = seccomp_syscall_resolve_name(syscall_name);
    if (nr == __NR_SCMP_ERROR)
        return -EDOM;
    // Same effect as not adding it; libseccomp would fail with -EACCES.
    if (action == f->default_action)
        return 0;
    for (uint32_t i = 0; i < n_args; i++) {
        cmps[i] = (struct scmp_arg_cmp){
            .arg = args[i].index,
            .op = (enum scmp_compare)args[i].op,
            .datum_a = args[i].value,
            .datum_b = args[i].value_two,
        };
    }
    // Names that exist on some of the filter's arches only (chown32) resolve to a pseudo
    // number here; libseccomp adds them where they exist and skips the other arches.
    int rc = seccomp_rule_add_array(f->ctx, action, nr, n_args, cmps);
    // libseccomp's -EDOM means "cannot be expressed on one of the arches"; ours means unknown
    // name (skipped by callers), so report this one as an error callers do not skip.
    return rc == -EDOM ? -EOPNOTSUPP : rc;
}

int sl_seccomp_export(sl_seccomp *f, void **out, uint32_t *len) {
    // libseccomp 2.5 can only export to an fd; a memfd keeps the program off the filesystem.
    int fd = memfd_create("swiftlet-seccomp", MFD_CLOEXEC);
    if (fd < 0)
        return -errno;
    int rc = seccomp_export_bpf(f->ctx, fd);
    struct stat st;
    if (rc == 0 && fstat(fd, &st) < 0)
        rc = -errno;
    if (rc == 0 && (st.st_size <= 0 || st.st_size % (off_t)sizeof(struct sock_filter) != 0 ||
                    st.st_size / (off_t)sizeof(struct sock_filter) > UINT32_MAX))
        rc = -EIO;
    unsigned char *buf = NULL;
    if (rc == 0 && (buf = malloc((size_t)st.st_size)) == NULL)
        rc = -ENOMEM;
    for (off_t done = 0; rc == 0 && done < st.st_size;) {
        ssize_t n = pread(fd, buf + done, (size_t)(st.st_size - done), done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            rc = n < 0 ? -errno : -EIO;
        else
            done += n;
    }
    close(fd);
    if (rc < 0) {
        free(buf);
        return rc;
    }
    uint32_t count = (uint32_t)(st.st_size / (off_t)sizeof(struct sock_filter));
    *out = buf;
    *len = count;
    return count > INT32_MAX ? INT32_MAX : (int)count;
}

void sl_seccomp_free(sl_seccomp *f) {
    if (f == NULL)
        return;
    seccomp_release(f->ctx);
    free(f);
}

uint32_t sl_seccomp_act_errno(uint32_t err) { return SCMP_ACT_ERRNO(err); }
uint32_t sl_seccomp_act_trace(uint32_t msg) { return SCMP_ACT_TRACE(msg); }
uint32_t sl_seccomp_act_allow(void) { return SCMP_ACT_ALLOW; }
uint32_t sl_seccomp_act_kill_thread(void) { return SCMP_ACT_KILL_THREAD; }
uint32_t sl_seccomp_act_kill_process(void) { return SCMP_ACT_KILL_PROCESS; }
uint32_t sl_seccomp_act_trap(void) { return SCMP_ACT_TRAP; }
uint32_t sl_seccomp_act_log(void) { return SCMP_ACT_LOG; }

// Async-signal-safe: runs in the child. No allocation, errno read right after the syscall.
int sl_seccomp_load(const void *filter, uint32_t len, uint32_t flags) {
    if (filter == NULL || len == 0 || len > BPF_MAXINSNS)
        return -EINVAL;
    struct sock_fprog prog = {
        .len = (unsigned short)len,
        .filter = (struct sock_filter *)filter,
    };
    if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog) == 0)
        return 0;
    int err = errno;
    // seccomp(2) is Linux 3.17; flags need it, a plain filter loads through prctl too.
    if (err == ENOSYS && flags == 0) {
        if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0) == 0)
            return 0;
        err = errno;
    }
    return -err;
}

// Test helper: fork, load the filter in the child and report how one raw syscall fares there.
// The child only makes raw syscalls, so forking from a multi-threaded test runner is safe.
int sl_seccomp_probe(const void *filter, uint32_t len, long sysno, long a0, long a1, long a2) {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) < 0)
        return -errno;
    pid_t pid = fork();
    if (pid < 0) {
        int err = errno;
        close(fds[0]);
        close(fds[1]);
        return -err;
    }
    if (pid == 0) {
        // Reported as a negative value: the probe itself failed, not the syscall under test.
        int result;
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
            result = -errno;
        else if ((result = sl_seccomp_load(filter, len, 0)) == 0)
            result = syscall(sysno, a0, a1, a2, 0L, 0L, 0L) < 0 ? errno : 0;
        ssize_t unused = write(fds[1], &result, sizeof(result));
        (void)unused;
        _exit(0);
    }
    close(fds[1]);
    int result = 0;
    ssize_t n;
    do {
        n = read(fds[0], &result, sizeof(result));
    } while (n < 0 && errno == EINTR);
    int read_err = n < 0 ? errno : 0;
    close(fds[0]);
    int status;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR)
            return -errno;
    }
    if (WIFSIGNALED(status))
        return 256 + WTERMSIG(status);   // killed by the filter (KILL_*, TRAP): errnos are < 256
    if (n != (ssize_t)sizeof(result))
        return read_err ? -read_err : -EPIPE;
    return result;
}

void sl_seccomp_build_identity(struct sl_seccomp_build *out) {
    const struct scmp_version *v = seccomp_version();
    out->major = v ? v->major : 0;
    out->minor = v ? v->minor : 0;
    out->micro = v ? v->micro : 0;
    out->native_arch = seccomp_arch_native();
    out->api_level = (uint32_t)seccomp_api_get();
}
