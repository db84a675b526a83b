// swiftlet-keeper: holds containers while the Swift daemon is down.
//
// One single-threaded process per state root R (epoll + signalfd, glibc only). It is a child
// subreaper and the parent of the daemon it starts; the daemon clones containers with
// CLONE_PARENT, so they are the keeper's children too. The keeper reaps them, keeps their raw
// wait status on disk until the daemon acknowledges it, and drains their stdout/stderr pipes into
// CRI log files itself, so nothing blocks or is lost while no daemon runs.
//
// Files under R:
//   keeper.lock    flock(LOCK_EX) for the keeper's life; also holds its pid (for the refusal)
//   keeper.pid     its pid, decimal, no newline
//   keeper.sock    SOCK_SEQPACKET listening socket, 0600; peers must be uid 0 or the keeper's euid
//   keeper.log     its own messages, one line each: "<RFC 3339 UTC> <message>"; past 1 MiB
//                  it becomes keeper.log.1
//   exits/<id>     "<raw wait status> <finished unix ns> <pid>\n", renamed into place, kept until acked
//   daemon.pid     the pid of the daemon child it started, while that child lives
//
// Protocol (version 1). A message is one SEQPACKET datagram of NUL-terminated fields, field 1
// the verb, at most 64 KiB; descriptors travel with SCM_RIGHTS. Every request gets exactly one
// reply on its connection (a `list` reply is several datagrams, see below), except on a
// connection that sent `subscribe`: it then only receives events. A connection that started the
// daemon also gets `daemon-exit` between its replies.
//
//   request                                   reply
//   hello <version>                           hello 1 <keeper pid> <daemon pid or 0>
//   daemon <path> <arg>... + 3 fds            daemon <pid>          (stdin, stdout, stderr)
//   hold <id> <pid> <log path> + 0 or 2 fds   held <id>             (fds: stdout, stderr read ends)
//   subscribe                                 subscribed, then the events below
//   list                                      list (<id> <pid> running|exited <status or "">)...
//                                             as one or more `list` datagrams, each under 64 KiB,
//                                             always followed by one datagram `end`
//   ack <id>                                  acked <id>            (also for an unknown id)
//   stats                                     stats <running> <exited> <open fds>
//   upgrade <path>                            upgrading, then the keeper re-execs in place
//   anything that fails                       error <sentence>
//
//   event                                     to
//   exit <id> <pid> <raw status> <finished ns>  the subscriber: every exited, unacked entry
//   daemon-exit <pid> <raw status>              the connection that started that daemon
#ifndef SWIFTLET_KEEPER_H
#define SWIFTLET_KEEPER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define KEEPER_PROTOCOL 1
#define KEEPER_MAX_MSG (64 * 1024)
#define KEEPER_MAX_LINE (16 * 1024)   // longer log lines are cut into P lines of this size
#define KEEPER_MAX_ID 255
#define KEEPER_RING 256               // reaped unknown children remembered for a late `hold`
#define KEEPER_MAX_CONNS 256
#define KEEPER_IDLE_MS 2000
#define KEEPER_LOG_MAX (1 << 20)      // keeper.log is renamed to keeper.log.1 past this (R is often tmpfs)

enum { STREAM_OUT = 0, STREAM_ERR = 1 };

// A held process. Small on purpose (no per-entry buffers): 16 KiB per entry is the budget.
struct entry {
    char *id;
    char *log_path;        // NULL: no log (a pod sandbox)
    pid_t pid;
    int pipe[2];           // stdout and stderr read ends, -1 once closed
    int log_fd;            // -1 when there is no log or both pipes are closed
    int exited;
    int status;            // raw wait status, once exited
    int64_t finished_ns;
    uint64_t seq;          // exit order: events go out in it
    int64_t log_size;
    int log_failed;        // a write to the log failed (logged once)
    int dead;              // acked in this loop turn; freed after it (events may still name it)
};

struct unknown_exit {
    pid_t pid;             // 0: free slot
    int status;
    int64_t finished_ns;
};

struct conn {
    int fd;
    int subscriber;
    uint64_t sent_upto;    // the subscriber has every exit event with seq <= this
    int want_out;          // EPOLLOUT armed: the subscriber's socket was full
    int dead;
};

struct keeper {
    const char *root;
    int64_t log_max;
    int root_fd, exits_fd, lock_fd, listen_fd, epoll_fd, signal_fd, log_fd;
    int64_t log_size;      // of keeper.log

    struct entry **entries;
    size_t n_entries, cap_entries;
    struct conn **conns;
    size_t n_conns, cap_conns;
    // Removed in this loop turn, freed at its end.
    struct entry **dead_entries;
    size_t n_dead_entries, cap_dead_entries;
    struct conn **dead_conns;
    size_t n_dead_conns, cap_dead_conns;

    pid_t daemon_pid;      // 0: no daemon child
    struct conn *daemon_conn;
    struct conn *subscriber;
    uint64_t exit_seq;
    struct unknown_exit ring[KEEPER_RING];
    unsigned ring_next;

    int64_t idle_since_ms; // 0: not idle
};

// Tags in the low bits of epoll_data.u64 (pointers from malloc are 16-byte aligned).
enum { TAG_LISTEN = 1, TAG_SIGNAL = 2, TAG_CONN = 3, TAG_OUT = 4, TAG_ERR = 5, TAG_MASK = 7 };

// klog.c: time, the keeper's own log, files.
int64_t now_ns(void);
int64_t mono_ms(void);
void format_time(char out[32], int64_t ns);   // 2026-12-06T02:18:30.123456789Z
void klog_open(struct keeper *k);
void klog(struct keeper *k, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int write_file_atomic(int dirfd, const char *name, const char *data, size_t len);
const char *describe_status(int status, char *buf, size_t len);
int set_cloexec(int fd, int on);
void *xrealloc_array(void *p, size_t *cap, size_t need, size_t size);

// entries.c: the table of held processes and their exit records.
struct entry *entry_find(struct keeper *k, const char *id);
struct entry *entry_find_pid(struct keeper *k, pid_t pid);
struct entry *entry_add(struct keeper *k, const char *id, pid_t pid, const char *log_path);
void entry_exited(struct keeper *k, struct entry *e, int status, int64_t finished_ns);
void entry_forget(struct keeper *k, struct entry *e);
void entry_close_pipe(struct keeper *k, struct entry *e, int stream);
void entries_count(struct keeper *k, size_t *running, size_t *exited);
void exit_records_load(struct keeper *k);
void free_dead(struct keeper *k);
int valid_id(const char *id);

// logs.c: CRI log files.
int logs_open(struct keeper *k, struct entry *e, char *err, size_t errlen);
int logs_watch(struct keeper *k, struct entry *e, int stream);
void logs_drain(struct keeper *k, struct entry *e, int stream, int all);

// reaper.c: SIGCHLD, exits of held, daemon and unknown children.
void reap_all(struct keeper *k);
struct unknown_exit *ring_find(struct keeper *k, pid_t pid);
int is_child(pid_t pid);

// daemon.c: the daemon child.
pid_t daemon_start(struct keeper *k, char **argv, const int fds[3], char *err, size_t errlen);
void daemon_exited(struct keeper *k, int status);

// protocol.c: connections, requests, events.
void conn_accept(struct keeper *k);
void conn_event(struct keeper *k, struct conn *c, uint32_t events);
void conn_close(struct keeper *k, struct conn *c);
void events_flush(struct keeper *k);
int send_fields(int fd, const char *const *fields, size_t n);

// upgrade.c: re-exec in place with the state in a memfd.
void upgrade(struct keeper *k, const char *path);
int upgrade_restore(struct keeper *k, int state_fd, char *err, size_t errlen);

// startup.c
int keeper_setup(struct keeper *k, int state_fd, char *err, size_t errlen);
int keeper_detach(const char *root);

// main.c
int keeper_holding(struct keeper *k);
int epoll_watch(struct keeper *k, int fd, uint32_t events, uint64_t data);

#endif
