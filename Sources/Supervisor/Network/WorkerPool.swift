import Foundation
import CShims
import Glibc

/// A few long-lived threads that run blocking jobs (CNI plugins: processes of tens of ms each)
/// off the probe loop, several at once but never more than `size`.
///
/// Each thread first joins the network namespace of the process's main thread: a plugin runs in
/// the namespace of the thread that forks it, and must never run in a pod's (a thread created
/// while another had entered one would inherit it).
final class WorkerPool: @unchecked Sendable {
    private let condition = NSCondition()
    private var queue: [() -> Void] = []

    init(name: String, size: Int) {
        for i in 0..<max(1, size) {
            let thread = Thread { [weak self] in
                Self.joinMainNetworkNamespace()
                self?.loop()
            }
            thread.name = "\(name)-\(i)"
            thread.start()
        }
    }

    /// Runs `body` on one of the threads and returns its result.
    func run<T>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<SendableBox<T>, Error>) in
            condition.lock()
            queue.append {
                do { continuation.resume(returning: SendableBox(try body())) } catch { continuation.resume(throwing: error) }
            }
            condition.signal()
            condition.unlock()
        }.value
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

    /// /proc/self/ns/net is the thread group leader's namespace: the one the supervisor started in.
    private static func joinMainNetworkNamespace() {
        let fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return }
        _ = sl_setns(fd, 0x4000_0000)   // CLONE_NEWNET
        close(fd)
    }
}
