import CShims
import Glibc
import Synchronization

/// A dedicated OS thread (not one of the Swift concurrency pool, whose threads must never change
/// namespace) that takes dial jobs from an inbox. A pipe wakes it out of poll().
final class DialThread: Sendable {
    struct Batch {
        var jobs: [DialJob]
        /// Connects another thread started (in the right namespace) that are still in progress.
        var adopted: [(job: DialJob, fd: CInt)]
        var stopping: Bool
    }

    private struct Inbox {
        var jobs: [DialJob] = []
        var adopted: [(job: DialJob, fd: CInt)] = []
        var stopping = false
        var exited = false
        var exitWaiters: [@Sendable () -> Void] = []
    }

    private let inbox = Mutex(Inbox())
    private let name: String
    let wakeFD: CInt
    private let wakeWriteFD: CInt

    init(name: String) throws(ProbeIOSetupError) {
        var fds: [CInt] = [-1, -1]
        let rc = sl_pipe_cloexec(&fds)
        guard rc == 0 else { throw ProbeIOSetupError("wake pipe: \(errnoText(-rc))") }
        for fd in fds { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
        wakeFD = fds[0]
        wakeWriteFD = fds[1]
        self.name = name
        try spawn()
    }

    deinit {
        close(wakeFD)
        close(wakeWriteFD)
    }

    /// Queue a job; false once the thread is stopping (the job was not taken).
    func submit(_ job: DialJob) -> Bool {
        inbox.withLock { inbox in
            guard !inbox.stopping else { return false }
            inbox.jobs.append(job)
            // The thread takes the whole inbox at once, so only the first job of a batch wakes it.
            if inbox.jobs.count + inbox.adopted.count == 1 { wake() }
            return true
        }
    }

    /// Wait for a connect already in progress on `fd` (the thread takes the fd); false once the
    /// thread is stopping (the fd was not taken).
    func submit(_ job: DialJob, inProgress fd: CInt) -> Bool {
        inbox.withLock { inbox in
            guard !inbox.stopping else { return false }
            inbox.adopted.append((job, fd))
            if inbox.jobs.count + inbox.adopted.count == 1 { wake() }
            return true
        }
    }

    /// Ask the thread to fail what it holds and exit; `exited` runs once it has.
    func stop(exited: @escaping @Sendable () -> Void) {
        let alreadyExited = inbox.withLock { inbox in
            if inbox.exited { return true }
            inbox.stopping = true
            inbox.exitWaiters.append(exited)
            wake()
            return false
        }
        if alreadyExited { exited() }
    }

    // MARK: thread side

    func takeJobs() -> Batch {
        inbox.withLock { inbox in
            defer {
                inbox.jobs.removeAll(keepingCapacity: true)
                inbox.adopted.removeAll(keepingCapacity: true)
            }
            return Batch(jobs: inbox.jobs, adopted: inbox.adopted, stopping: inbox.stopping)
        }
    }

    func drainWakeups() {
        var scratch = [UInt8](repeating: 0, count: 64)
        while read(wakeFD, &scratch, scratch.count) > 0 {}
    }

    private func wake() {
        var byte: UInt8 = 1
        _ = write(wakeWriteFD, &byte, 1)  // a full pipe already holds a wakeup
    }

    private func run() {
        nameThisThread()
        var reactor = DialReactor(thread: self)
        reactor.run()
        let waiters = inbox.withLock { inbox in
            inbox.exited = true
            return inbox.exitWaiters
        }
        for waiter in waiters { waiter() }
    }

    /// Shown by `ps -T` / `top -H` (pthread_setname_np is not in Swift's Glibc module).
    private func nameThisThread() {
        let fd = open("/proc/thread-self/comm", O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { return }
        let bytes = Array(name.utf8.prefix(15))
        _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
    }

    private func spawn() throws(ProbeIOSetupError) {
        var tid = pthread_t()
        let retained = Unmanaged.passRetained(self)
        let rc = pthread_create(&tid, nil, { raw in
            guard let raw else { return nil }
            Unmanaged<DialThread>.fromOpaque(raw).takeRetainedValue().run()
            return nil
        }, retained.toOpaque())
        guard rc == 0 else {
            retained.release()
            throw ProbeIOSetupError("pthread_create: \(errnoText(rc))")
        }
        pthread_detach(tid)
    }
}
