// The container's root filesystem, set up in the child inside its new mount namespace:
//
//   1. make "/" private (or rootfsPropagation) and the mount holding the rootfs private (or
//      slave) so nothing we do propagates to the host;
//   2. bind the rootfs onto itself (pivot_root needs a mount point) and open an fd of it;
//   3. each planned mount: resolve the target under that fd (resolve.c), create a detached mount
//      (fsopen+fsmount for filesystems, open_tree for binds) and attach it with move_mount onto
//      the target fd, never onto a path string;
//   4. /dev: device nodes, the usual symlinks, the console;
//   5. pivot_root(".", ".") and detach the old root (never chroot: chroot can be escaped);
//   6. masked paths and read-only paths, again by fd; the read-only root; finally a shared or
//      unbindable rootfsPropagation, applied to the container's own "/" only.
#include "child.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sched.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

static int attach(int mntfd, int targetfd) {
    return (int)syscall(SYS_move_mount, mntfd, "", targetfd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH);
}

static int set_attrs(int mntfd, int recursive, uint64_t set, uint64_t clr, uint64_t propagation) {
    if (!set && !clr && !propagation) return 0;
    struct mount_attr attr;
    memset(&attr, 0, sizeof attr);
    attr.attr_set = set;
    attr.attr_clr = clr;
    attr.propagation = propagation;
    return (int)syscall(SYS_mount_setattr, mntfd, "", AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0), &attr, sizeof attr);
}

// A new, detached instance of a filesystem with its options.
static int make_fs(const struct sl_mount *m) {
    int fs = (int)syscall(SYS_fsopen, m->fstype, FSOPEN_CLOEXEC);
    if (fs < 0) return -errno;
    // The config's source is what mountinfo shows ("proc", "shm"); fsopen's default is "none".
    if (m->source && m->source[0] && syscall(SYS_fsconfig, fs, FSCONFIG_SET_STRING, "source", m->source, 0) < 0) {
        int e = errno; close(fs); return -e;
    }
    // "ro" makes the superblock read-only too, as mount(2) with MS_RDONLY does for a new
    // instance (runc's ro /sys); a superblock shared with an existing mount keeps its flags.
    if ((m->attr_set & MOUNT_ATTR_RDONLY) && syscall(SYS_fsconfig, fs, FSCONFIG_SET_FLAG, "ro", NULL, 0) < 0) {
        int e = errno; close(fs); return -e;
    }
    for (const char *const *o = m->options; o && o[0]; o += 2) {
        int r = o[1] ? (int)syscall(SYS_fsconfig, fs, FSCONFIG_SET_STRING, o[0], o[1], 0)
                     : (int)syscall(SYS_fsconfig, fs, FSCONFIG_SET_FLAG, o[0], NULL, 0);
        if (r < 0) { int e = errno; close(fs); return -e; }
    }
    if (syscall(SYS_fsconfig, fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0) { int e = errno; close(fs); return -e; }
    // Only the atime mode and the per-mount flags go to fsmount; propagation is set after attach.
    int mnt = (int)syscall(SYS_fsmount, fs, FSMOUNT_CLOEXEC, (unsigned int)m->attr_set);
    int e = errno;
    close(fs);
    return mnt < 0 ? -e : mnt;
}

static void do_mount(const struct sl_spawn_config *cfg, int rootfd, int i) {
    const struct sl_mount *m = &cfg->mounts[i];
    int efd = cfg->error_fd;
    int target = sl__resolve_in_root(rootfd, m->target, m->target_is_file ? SL_CREATE_FILE : SL_CREATE_DIR, 0);
    if (target < 0) sl__die(efd, SL_STAGE_MOUNT_TARGET, -target, i);
    int mnt;
    if (m->kind == SL_MOUNT_BIND) {
        unsigned int flags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (m->recursive ? AT_RECURSIVE : 0);
        mnt = (int)syscall(SYS_open_tree, AT_FDCWD, m->source, flags);
        if (mnt < 0) sl__die(efd, SL_STAGE_MOUNT, errno, i);
        if (set_attrs(mnt, m->recursive, m->attr_set, m->attr_clr, 0) < 0) sl__die(efd, SL_STAGE_MOUNT_ATTR, errno, i);
    } else {
        mnt = make_fs(m);
        if (mnt < 0) sl__die(efd, SL_STAGE_MOUNT, -mnt, i);
    }
    if (attach(mnt, target) < 0) sl__die(efd, SL_STAGE_MOUNT, errno, i);
    if (m->propagation && set_attrs(mnt, 1, 0, 0, m->propagation) < 0) sl__die(efd, SL_STAGE_MOUNT_ATTR, errno, i);
    close(mnt);
    close(target);
}

static void make_devices(const struct sl_spawn_config *cfg, int rootfd) {
    for (int i = 0; i < cfg->n_devices; i++) {
        const struct sl_device *d = &cfg->devices[i];
        const char *name;
        int dir = sl__resolve_parent_in_root(rootfd, d->path, &name);
        if (dir < 0) sl__die(cfg->error_fd, SL_STAGE_DEVICE, -dir, i);
        // A name already present (a bind the user asked for, or an image file) is replaced.
        (void)unlinkat(dir, name, 0);
        if (mknodat(dir, name, d->mode, makedev(d->major, d->minor)) < 0 ||
            fchownat(dir, name, d->uid, d->gid, AT_SYMLINK_NOFOLLOW) < 0)
            sl__die(cfg->error_fd, SL_STAGE_DEVICE, errno, i);
        close(dir);
    }
}

static void make_dev_symlinks(int rootfd, int efd) {
    static const char *const links[][2] = {
        {"/proc/self/fd", "fd"}, {"/proc/self/fd/0", "stdin"}, {"/proc/self/fd/1", "stdout"},
        {"/proc/self/fd/2", "stderr"}, {"pts/ptmx", "ptmx"},
    };
    int dev = sl__resolve_in_root(rootfd, "/dev", SL_CREATE_DIR, RESOLVE_NO_SYMLINKS);
    if (dev < 0) sl__die(efd, SL_STAGE_DEV_SYMLINK, -dev, -1);
    for (size_t i = 0; i < sizeof links / sizeof links[0]; i++) {
        if (symlinkat(links[i][0], dev, links[i][1]) < 0 && errno != EEXIST)
            sl__die(efd, SL_STAGE_DEV_SYMLINK, errno, (int)i);
    }
    close(dev);
}

// Masks a path with an fd-bound /dev/null (files) or an empty read-only tmpfs (directories).
// /dev/null is opened without following symlinks and checked to be the real 1:3 device, so a
// container cannot turn it into a link to a host file first (CVE-2025-31133).
static void mask_paths(const struct sl_spawn_config *cfg, int root) {
    int efd = cfg->error_fd;
    int null_tree = -1;
    for (int i = 0; i < cfg->n_masked_paths; i++) {
        int target = sl__resolve_in_root(root, cfg->masked_paths[i], SL_CREATE_NONE, RESOLVE_NO_SYMLINKS);
        if (target == -ENOENT) continue;
        if (target < 0) sl__die(efd, SL_STAGE_MASK_PATH, -target, i);
        struct stat st;
        if (fstat(target, &st) < 0) sl__die(efd, SL_STAGE_MASK_PATH, errno, i);
        int mnt;
        if (S_ISDIR(st.st_mode)) {
            static const char *const opts[] = {"size", "0", "mode", "0555", NULL};
            struct sl_mount tmpfs = {.kind = SL_MOUNT_FS, .fstype = "tmpfs", .options = opts,
                                     .attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC};
            mnt = make_fs(&tmpfs);
            if (mnt < 0) sl__die(efd, SL_STAGE_MASK_PATH, -mnt, i);
        } else {
            if (null_tree < 0) {
                int null_fd = sl__resolve_in_root(root, "/dev/null", SL_CREATE_NONE, RESOLVE_NO_SYMLINKS);
                if (null_fd < 0) sl__die(efd, SL_STAGE_MASK_PATH, -null_fd, i);
                struct stat ns;
                if (fstat(null_fd, &ns) < 0) sl__die(efd, SL_STAGE_MASK_PATH, errno, i);
                if (!S_ISCHR(ns.st_mode) || ns.st_rdev != makedev(1, 3)) sl__die(efd, SL_STAGE_MASK_PATH, ENODEV, i);
                null_tree = null_fd;
            }
            mnt = (int)syscall(SYS_open_tree, null_tree, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
            if (mnt < 0) sl__die(efd, SL_STAGE_MASK_PATH, errno, i);
            if (set_attrs(mnt, 0, MOUNT_ATTR_RDONLY, 0, 0) < 0) sl__die(efd, SL_STAGE_MASK_PATH, errno, i);
        }
        if (attach(mnt, target) < 0) sl__die(efd, SL_STAGE_MASK_PATH, errno, i);
        close(mnt);
        close(target);
    }
    if (null_tree >= 0) close(null_tree);
}

static void readonly_paths(const struct sl_spawn_config *cfg, int root) {
    int efd = cfg->error_fd;
    for (int i = 0; i < cfg->n_readonly_paths; i++) {
        int target = sl__resolve_in_root(root, cfg->readonly_paths[i], SL_CREATE_NONE, RESOLVE_NO_SYMLINKS);
        if (target == -ENOENT) continue;
        if (target < 0) sl__die(efd, SL_STAGE_READONLY_PATH, -target, i);
        int mnt = (int)syscall(SYS_open_tree, target, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH | AT_RECURSIVE);
        if (mnt < 0) sl__die(efd, SL_STAGE_READONLY_PATH, errno, i);
        if (set_attrs(mnt, 1, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC, 0, 0) < 0 ||
            attach(mnt, target) < 0)
            sl__die(efd, SL_STAGE_READONLY_PATH, errno, i);
        close(mnt);
        close(target);
    }
}

// Each sysctl is opened under the new root without following symlinks; the parent has checked
// that it belongs to a namespace the container owns (net.*, ipc ones).
static void write_sysctls(const struct sl_spawn_config *cfg, int root) {
    for (int i = 0; i < cfg->n_sysctls; i++) {
        int fd = sl__openat2_in_root(root, cfg->sysctls[i].path, O_WRONLY, RESOLVE_NO_SYMLINKS);
        if (fd < 0) sl__die(cfg->error_fd, SL_STAGE_SYSCTL, -fd, i);
        size_t len = sl__strlen(cfg->sysctls[i].value);
        if (write(fd, cfg->sysctls[i].value, len) != (ssize_t)len) sl__die(cfg->error_fd, SL_STAGE_SYSCTL, errno, i);
        close(fd);
    }
}

// pivot_root refuses a shared parent of the new root, and a bind under a shared mount would
// propagate to the host: make the mount holding the rootfs private (slave for "slave", so host
// events still arrive), as runc does. A path that is not a mount point gives EINVAL: go up.
static int unshare_rootfs_parent(const char *rootfs, uint64_t flag) {
    char path[4096];
    size_t n = sl__strlen(rootfs);
    if (n >= sizeof path) return -ENAMETOOLONG;
    memcpy(path, rootfs, n + 1);
    for (;;) {
        if (mount(NULL, path, NULL, flag, NULL) == 0) return 0;
        if (errno != EINVAL || n <= 1) return -errno;
        while (n > 1 && path[n - 1] != '/') n--;   // strip the last component ...
        if (n > 1) n--;                            // ... and its slash, but keep "/"
        path[n] = 0;
    }
}

// createRuntime and createContainer hooks run here, in the runtime: the container's mounts are
// in place and pivot_root has not happened yet (runtime-spec runtime.md, steps 6 to 8).
static void wait_for_hooks(const struct sl_spawn_config *cfg, int efd) {
    struct sl_child_error at = {.stage = SL_STAGE_HOOKS, .err = 0, .index = -1, .pad = 0};
    ssize_t n;
    do { n = write(efd, &at, sizeof at); } while (n < 0 && errno == EINTR);
    if (n != (ssize_t)sizeof at) _exit(127);
    char byte;
    do { n = read(cfg->hooks_fd, &byte, 1); } while (n < 0 && errno == EINTR);
    if (n != 1) _exit(127);
    close(cfg->hooks_fd);
}

void sl__setup_rootfs(const struct sl_spawn_config *cfg) {
    int efd = cfg->error_fd;
    uint64_t prop = cfg->rootfs_propagation ? cfg->rootfs_propagation : MS_PRIVATE;
    // shared and slave are applied to the whole copy first, so binds of host paths stay peers
    // or slaves of the host's mounts (runc does the same). unbindable only after pivot_root:
    // here it would make every bind source in mounts[] refuse to be bound.
    uint64_t first = (prop & (MS_SHARED | MS_SLAVE)) ? prop : MS_PRIVATE;
    if (mount(NULL, "/", NULL, MS_REC | first, NULL) < 0) sl__die(efd, SL_STAGE_PROPAGATION, errno, -1);
    int r = unshare_rootfs_parent(cfg->rootfs, (prop & MS_SLAVE) ? MS_SLAVE : MS_PRIVATE);
    if (r < 0) sl__die(efd, SL_STAGE_PROPAGATION, -r, -1);
    if (cfg->rootfs_upper) {
        // An overlay with the image as its only lower layer, mounted over the image's own path
        // in this (private) mount namespace: other containers of the image never see it.
        const char *const opts[] = {"lowerdir", cfg->rootfs, "upperdir", cfg->rootfs_upper,
                                    "workdir", cfg->rootfs_work, NULL};
        struct sl_mount overlay = {.kind = SL_MOUNT_FS, .fstype = "overlay", .options = opts};
        int mnt = make_fs(&overlay);
        if (mnt < 0) sl__die(efd, SL_STAGE_ROOTFS_BIND, -mnt, -1);
        if (syscall(SYS_move_mount, mnt, "", AT_FDCWD, cfg->rootfs, MOVE_MOUNT_F_EMPTY_PATH) < 0)
            sl__die(efd, SL_STAGE_ROOTFS_BIND, errno, -1);
        close(mnt);
    } else if (mount(cfg->rootfs, cfg->rootfs, NULL, MS_BIND | MS_REC, NULL) < 0) {
        sl__die(efd, SL_STAGE_ROOTFS_BIND, errno, -1);
    }
    int rootfd = open(cfg->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (rootfd < 0) sl__die(efd, SL_STAGE_ROOTFS_OPEN, errno, -1);

    mode_t old_umask = umask(0);   // device nodes and dirs get exactly the modes we ask for
    for (int i = 0; i < cfg->n_mounts; i++) do_mount(cfg, rootfd, i);
    if (cfg->setup_dev) {
        make_devices(cfg, rootfd);
        make_dev_symlinks(rootfd, efd);
    }
    if (cfg->process.terminal) sl__setup_console(rootfd, cfg->console_socket_fd, cfg->setup_dev, efd);
    umask(old_umask);
    if (cfg->hooks_sync) wait_for_hooks(cfg, efd);

    // pivot_root(".", ".") stacks the old root on top of the new one; detaching it leaves only
    // the container's tree (the trick runc and crun use; no temporary directory needed).
    if (fchdir(rootfd) < 0 || syscall(SYS_pivot_root, ".", ".") < 0) sl__die(efd, SL_STAGE_PIVOT_ROOT, errno, -1);
    // The old root may be a peer of the host's mounts (shared): as a slave, detaching it cannot
    // unmount anything on the host.
    if (mount(NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) < 0 || umount2(".", MNT_DETACH) < 0 || chdir("/") < 0)
        sl__die(efd, SL_STAGE_DETACH_OLD_ROOT, errno, -1);
    close(rootfd);

    int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (root < 0) sl__die(efd, SL_STAGE_PIVOT_ROOT, errno, -1);
    // Sysctls go through the container's own /proc, before /proc/sys turns read-only below.
    write_sysctls(cfg, root);
    mask_paths(cfg, root);
    readonly_paths(cfg, root);
    if (cfg->rootfs_readonly && set_attrs(root, 0, MOUNT_ATTR_RDONLY, 0, 0) < 0)
        sl__die(efd, SL_STAGE_ROOTFS_READONLY, errno, -1);
    close(root);
    // Last: "/" is the container's own now, so shared or unbindable no longer touch the host,
    // and an unbindable tree would refuse the clones that masking and read-only paths make.
    if ((prop & (MS_SHARED | MS_UNBINDABLE)) && mount(NULL, "/", NULL, MS_REC | prop, NULL) < 0)
        sl__die(efd, SL_STAGE_PROPAGATION, errno, -1);
}
