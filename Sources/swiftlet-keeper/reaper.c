// Reaping: on SIGCHLD (through the signalfd) every exited child is collected with waitid until
// none is left. A held process gets its exit recorded; the daemon child's exit goes to the
// connection that started it; anything else (a container the daemon cloned but has not held
// yet, an orphan reparented to us) goes into a ring, so a late `hold` still learns its status.
#include "keeper.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>

// waitid reports the pieces of a wait status; this puts them back together exactly as
// waitpid(2) would give them, so exit(137) (137 << 8) stays distinct from SIGKILL (9).
static int raw_status(const siginfo_t *si) {
    switch (si->si_code) {
    case CLD_EXITED: return (si->si_status & 0xff) << 8;
    case CLD_KILLED: return si->si_status & 0x7f;
    case CLD_DUMPED: return (si->si_status & 0x7f) | 0x80;
    default: return si->si_status;
    }
}

static void ring_add(struct keeper *k, pid_t pid, int status, int64_t ns) {
    k->ring[k->ring_next] = (struct unknown_exit){pid, status, ns};
    k->ring_next = (k->ring_next + 1) % KEEPER_RING;
}

// The newest remembered exit of `pid` (the caller frees the slot by zeroing its pid).
struct unknown_exit *ring_find(struct keeper *k, pid_t pid) {
    for (unsigned i = 1; i <= KEEPER_RING; i++) {
        struct unknown_exit *u = &k->ring[(k->ring_next + KEEPER_RING - i) % KEEPER_RING];
        if (u->pid == pid) return u;
    }
    return NULL;
}

// Whether `pid` is our child and not reaped yet (running or a zombie).
int is_child(pid_t pid) {
    siginfo_t si;
    memset(&si, 0, sizeof si);
    return waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0;
}

void reap_all(struct keeper *k) {
    for (;;) {
        siginfo_t si;
        memset(&si, 0, sizeof si);
        if (waitid(P_ALL, 0, &si, WEXITED | WNOHANG) < 0) {
            if (errno == EINTR) continue;
            return;  // ECHILD: no children at all
        }
        if (si.si_pid == 0) return;
        int status = raw_status(&si);
        int64_t ns = now_ns();
        struct entry *e;
        if (si.si_pid == k->daemon_pid) {
            daemon_exited(k, status);
        } else if ((e = entry_find_pid(k, si.si_pid))) {
            entry_exited(k, e, status, ns);
        } else {
            char what[96];
            klog(k, "reaped pid %d, which nobody holds: %s", (int)si.si_pid,
                 describe_status(status, what, sizeof what));
            ring_add(k, si.si_pid, status, ns);
        }
    }
}
