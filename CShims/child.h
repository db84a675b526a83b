// Internal to the C core: helpers shared by the code that runs in a child between clone and
// execve. Everything declared here is async-signal-safe (raw syscalls, stack buffers only).
#ifndef SWIFTLET_CHILD_H
#define SWIFTLET_CHILD_H

#include "cshims.h"

// Report (stage, errno, index) on the error pipe and _exit(127). Never returns.
__attribute__((noreturn)) void sl__die(int error_fd, int stage, int err, int index);

// Root filesystem: mounts, /dev, console, pivot_root, masked and read-only paths (mounts.c).
void sl__setup_rootfs(const struct sl_spawn_config *cfg);

// Allocate a pty inside the container's devpts, send the master over console_socket_fd, make
// the slave the controlling terminal and stdio (console.c). dev_console: bind it on /dev/console.
void sl__setup_console(int rootfd, int console_socket_fd, int bind_dev_console, int error_fd);

// Bring the loopback interface up in the current network namespace (net.c).
int sl__loopback_up(void);

// The common tail of init and exec: rlimits, cwd, user, capabilities, no_new_privs, seccomp,
// closing fds and execve (process.c). Never returns.
__attribute__((noreturn)) void sl__finish_process(const struct sl_process *p, int error_fd);

// Resolve `path` (absolute, inside the container) under rootfd without leaving it, optionally
// creating missing directories (and the last component as a file or directory). Returns an
// O_PATH fd or -errno (resolve.c).
enum { SL_CREATE_NONE = 0, SL_CREATE_DIR = 1, SL_CREATE_FILE = 2 };
int sl__resolve_in_root(int rootfd, const char *path, int create, int extra_resolve);
// openat2(rootfd, path, flags | O_CLOEXEC, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | extra).
int sl__openat2_in_root(int rootfd, const char *path, int flags, int extra_resolve);
// The parent directory of `path` (created when missing) and a pointer to the last component.
int sl__resolve_parent_in_root(int rootfd, const char *path, const char **last);

// Reset every signal disposition to default and unblock all signals.
void sl__reset_signals(void);

size_t sl__strlen(const char *s);
// Write the decimal form of v into buf (at least 21 bytes); returns buf.
char *sl__utoa(unsigned long v, char *buf);

#endif
