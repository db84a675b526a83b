import CShims
import Glibc
import NIOCore

/// The loop of one dial thread. For each job it joins the pod's network namespace, creates the
/// socket there and starts a non-blocking connect; then it returns to its own namespace and
/// waits in one poll() for every connect in flight, so a slow peer never holds up other pods.
/// A socket keeps the namespace it was created in, so only creation needs the setns.
struct DialReactor {
    private struct InFlight {
        let job: DialJob
        let fd: CInt
        let untried: ArraySlice<DialAddress>
    }

    private let thread: DialThread
    private let homeNetns: CInt
    private var current: NetnsHandle?
    private var inFlight: [InFlight] = []

    init(thread: DialThread) {
        self.thread = thread
        // Where to go back to between batches: an idle thread must not keep a deleted pod's
        // namespace alive.
        homeNetns = sl_open_ns_path("/proc/thread-self/ns/net")
    }

    mutating func run() {
        while true {
            let batch = thread.takeJobs()
            if batch.stopping {
                for (job, fd) in batch.adopted { fail(InFlight(job: job, fd: fd, untried: []), .shutdown) }
                shutDown(batch.jobs)
                return
            }
            for (job, fd) in batch.adopted { inFlight.append(InFlight(job: job, fd: fd, untried: [])) }
            for job in batch.jobs { start(job) }
            goHome()
            waitAndFinish()
        }
    }

    private mutating func start(_ job: DialJob) {
        guard NIODeadline.now() < job.deadline else {
            return job.complete(.failure(DialError.timeout(job.display)))
        }
        do {
            try enter(job.netns)
            let addresses = try DialAddress.resolve(job.host, port: job.port)
            attempt(job, addresses[...])
        } catch {
            job.complete(.failure(error))
        }
    }

    /// Try the addresses in order until one connects or is in progress (must be in job's netns).
    private mutating func attempt(_ job: DialJob, _ addresses: ArraySlice<DialAddress>) {
        var untried = addresses
        var lastError = DialError.lookup(job.host, "no such host")
        while let address = untried.popFirst() {
            do {
                switch try ProbeSocket.start(address, display: job.display) {
                case .connected(let fd):
                    return job.complete(.success(fd))
                case .inProgress(let fd):
                    return inFlight.append(InFlight(job: job, fd: fd, untried: untried))
                }
            } catch {
                lastError = error
            }
        }
        job.complete(.failure(lastError))
    }

    private mutating func waitAndFinish() {
        var fds = [pollfd(fd: thread.wakeFD, events: Int16(POLLIN), revents: 0)]
        fds += inFlight.map { pollfd(fd: $0.fd, events: Int16(POLLOUT), revents: 0) }
        let ready = poll(&fds, nfds_t(fds.count), pollTimeout())
        let pollErrno = errno
        if ready < 0 && pollErrno != EINTR {
            // Nothing sane to do but fail what we hold rather than spin.
            for dial in inFlight { fail(dial, DialError.socket(dial.job.display, errno: pollErrno)) }
            inFlight.removeAll()
            return
        }
        if fds[0].revents != 0 { thread.drainWakeups() }

        let now = NIODeadline.now()
        var waiting: [InFlight] = []
        var retries: [InFlight] = []
        for (index, dial) in inFlight.enumerated() {
            if fds[index + 1].revents != 0 {
                do {
                    dial.job.complete(.success(try ProbeSocket.finish(dial.fd, display: dial.job.display)))
                } catch where !dial.untried.isEmpty {
                    retries.append(dial)
                } catch {
                    dial.job.complete(.failure(error))
                }
            } else if now >= dial.job.deadline {
                fail(dial, DialError.timeout(dial.job.display))
            } else {
                waiting.append(dial)
            }
        }
        inFlight = waiting
        for dial in retries {
            do {
                try enter(dial.job.netns)
                attempt(dial.job, dial.untried)
            } catch {
                dial.job.complete(.failure(error))
            }
        }
    }

    /// Milliseconds until the earliest deadline (rounded up so we never spin), or -1 for none.
    private func pollTimeout() -> CInt {
        guard let earliest = inFlight.map(\.job.deadline).min() else { return -1 }
        let nanos = max((earliest - NIODeadline.now()).nanoseconds, 0)
        return CInt(clamping: (nanos + 999_999) / 1_000_000)
    }

    private mutating func enter(_ netns: NetnsHandle) throws(NetnsError) {
        if current === netns { return }
        let rc = sl_setns(netns.fd, cloneNewNet)
        guard rc == 0 else { throw NetnsError(path: netns.path, reason: "setns: \(errnoText(-rc))") }
        current = netns
    }

    private mutating func goHome() {
        guard current != nil, homeNetns >= 0 else { return }
        if sl_setns(homeNetns, cloneNewNet) == 0 { current = nil }
    }

    private func fail(_ dial: InFlight, _ error: DialError) {
        close(dial.fd)
        dial.job.complete(.failure(error))
    }

    private mutating func shutDown(_ queued: [DialJob]) {
        for dial in inFlight { fail(dial, .shutdown) }
        inFlight.removeAll()
        for job in queued { job.complete(.failure(DialError.shutdown)) }
        goHome()
        current = nil
        if homeNetns >= 0 { close(homeNetns) }
    }
}
