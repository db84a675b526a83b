import CShims
import Foundation

/// Long-lived OS threads that run closures taken from one queue, in the order given; with one
/// thread they run one at a time in that order.
///
/// Three serve the supervisor. The spawn thread clones containers, exec processes and sandboxes:
/// PR_SET_PDEATHSIG fires when the *thread* that cloned them exits, and threads of the
/// concurrency pool or Dispatch may exit when idle. The disk thread (`DiskQueue`) does the file
/// work, so the actor, which runs on the probe event loop, never waits for a disk. The CNI
/// threads (a few) run network plugins, processes of tens of ms each.
///
/// Each thread first joins the network namespace of the process's main thread: a child runs in
/// the namespace of the thread that forks it, and a CNI plugin must never run in a pod's (a
/// thread created while another had entered one would inherit it).
final class WorkerThreads: @unchecked Sendable {
    private let condition = NSCondition()
    private var queue: [() -> Void] = []
    private var head = 0

    init(name: String, count: Int = 1) {
        for i in 0..<max(1, count) {
            let thread = Thread { [weak self] in
                Self.joinMainNetworkNamespace()
                self?.loop()
            }
            thread.name = count == 1 ? name : "\(name)-\(i)"
            thread.start()
        }
    }

    /// Runs `body` on a thread and returns its result.
    func run<T>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<SendableBox<T>, Error>) in
            enqueue {
                do { continuation.resume(returning: SendableBox(try body())) } catch { continuation.resume(throwing: error) }
            }
        }.value
    }

    /// Runs `body` on a thread, after everything enqueued before it has been taken; does not wait.
    func enqueue(_ job: @escaping () -> Void) {
        condition.lock()
        queue.append(job)
        condition.signal()
        condition.unlock()
    }

    private func loop() {
        while true {
            condition.lock()
            while head == queue.count { condition.wait() }
            let job = queue[head]
            head += 1
            if head == queue.count {
                queue.removeAll(keepingCapacity: true)
                head = 0
            }
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

/// Moves a value that is used by one owner at a time across an isolation boundary.
struct SendableBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
