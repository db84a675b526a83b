import Foundation

/// Runs closures one at a time, in the order given, on a single long-lived OS thread.
///
/// Two of them serve the supervisor. The spawn thread clones containers, exec processes and
/// sandboxes: PR_SET_PDEATHSIG fires when the *thread* that cloned them exits, and threads of the
/// concurrency pool or Dispatch may exit when idle. The disk thread (`DiskQueue`) does the file
/// work, so the actor, which runs on the probe event loop, never waits for a disk.
final class SerialThread: @unchecked Sendable {
    private let condition = NSCondition()
    private var queue: [() -> Void] = []

    init(name: String) {
        let thread = Thread { [weak self] in self?.loop() }
        thread.name = name
        thread.start()
    }

    /// Runs `body` on the thread and returns its result.
    func run<T>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<SendableBox<T>, Error>) in
            enqueue {
                do { continuation.resume(returning: SendableBox(try body())) } catch { continuation.resume(throwing: error) }
            }
        }.value
    }

    /// Runs `body` on the thread, after everything enqueued before it; does not wait for it.
    func enqueue(_ job: @escaping () -> Void) {
        condition.lock()
        queue.append(job)
        condition.signal()
        condition.unlock()
    }

    private func loop() {
        while true {
            condition.lock()
            while queue.isEmpty { condition.wait() }
            let batch = queue
            queue.removeAll(keepingCapacity: true)
            condition.unlock()
            for job in batch { job() }
        }
    }
}

/// Moves a value that is used by one owner at a time across an isolation boundary.
struct SendableBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
