import Foundation

/// Runs closures one at a time on a single long-lived OS thread. Containers, exec processes and
/// sandboxes are cloned here: PR_SET_PDEATHSIG fires when the *thread* that cloned them exits,
/// and threads of the concurrency pool or Dispatch may exit when idle. The clone itself is fast;
/// nothing here waits for a container.
final class SpawnThread: @unchecked Sendable {
    private let condition = NSCondition()
    private var queue: [() -> Void] = []

    init(name: String = "swiftlet-spawn") {
        let thread = Thread { [weak self] in self?.loop() }
        thread.name = name
        thread.start()
    }

    /// Runs `body` on the spawn thread and returns its result.
    func run<T>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<SendableBox<T>, Error>) in
            enqueue {
                do { continuation.resume(returning: SendableBox(try body())) } catch { continuation.resume(throwing: error) }
            }
        }.value
    }

    private func enqueue(_ job: @escaping () -> Void) {
        condition.lock()
        queue.append(job)
        condition.signal()
        condition.unlock()
    }

    private func loop() {
        while true {
            condition.lock()
            while queue.isEmpty { condition.wait() }
            let job = queue.removeFirst()
            condition.unlock()
            job()
        }
    }
}

/// Moves a value that is used by one owner at a time across an isolation boundary.
struct SendableBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
