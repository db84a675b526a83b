import Foundation

/// A daemon that `run` started exits once it has no pod, but never while a client is connected:
/// a `run` that arrives as the last pod goes must not be cut off half-way (its pods would be left
/// half made). Every connection counts as busy until it closes; the exit happens only when none
/// is open, and none opened since the daemon found itself empty. The socket is removed first,
/// under the same lock, so a client either is connected (and the exit waits for it) or cannot
/// connect (and starts a new daemon); one still in the listen backlog sees its hello go
/// unanswered and starts over. So a daemon that hangs up on a request has crashed.
final class IdleExit: @unchecked Sendable {
    private let lock = NSLock()
    private var busy = 0
    private var generation = 0
    private let socketPath: String
    private let isEmpty: @Sendable () async -> Bool
    private let log: @Sendable (String) -> Void

    init(socketPath: String, isEmpty: @escaping @Sendable () async -> Bool, log: @escaping @Sendable (String) -> Void) {
        self.socketPath = socketPath
        self.isEmpty = isEmpty
        self.log = log
    }

    private var wanted: String?

    func begin() {
        lock.withLock {
            busy += 1
            generation += 1
        }
    }

    /// A check asked for while a request was being handled (the delete that removed the last
    /// pod) is made once it ends.
    func end() {
        let why: String? = lock.withLock {
            busy -= 1
            return busy == 0 ? wanted : nil
        }
        if let why { check(why) }
    }

    /// Exits if the daemon has no pod and no request, now and when it looked.
    func check(_ why: String) {
        let seen: Int = lock.withLock {
            wanted = why
            return generation
        }
        Task {
            guard await isEmpty() else { return }
            exitIfStillIdle(since: seen, why)
        }
    }

    private func exitIfStillIdle(since seen: Int, _ why: String) {
        lock.lock()
        guard busy == 0, generation == seen else {
            lock.unlock()
            return
        }
        unlink(socketPath)
        log(why)
        exit(0)
    }
}
