import CShims
import Foundation

/// One epoll thread for every descriptor the supervisor waits on: pidfds (readable when the
/// process exits) and container log pipes. Async code awaits readiness without ever blocking a
/// thread of the concurrency pool.
final class FDWatcher: @unchecked Sendable {
    private let epoll: Int32
    private let wakeup: Int32
    private let lock = NSLock()
    private var handlers: [Int32: Handler] = [:]

    private enum Handler {
        /// Resumed once, then forgotten (pidfds).
        case once(CheckedContinuation<Void, Never>)
        /// Called on every readiness, on the watcher thread (exec output pipes, OOM eventfds);
        /// false unregisters, and the watcher closes the fd once it is forgotten.
        case owned(@Sendable (Int32) -> Bool)
    }

    init() {
        epoll = sl_epoll_create()
        wakeup = sl_eventfd()
        add(wakeup)
        let thread = Thread { [weak self] in self?.loop() }
        thread.name = "swiftlet-fdwatch"
        thread.start()
    }

    /// Returns once `fd` is readable (a pidfd: once the process has exited).
    func readable(_ fd: Int32) async {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            lock.lock()
            handlers[fd] = .once(c)
            lock.unlock()
            add(fd)
        }
    }

    /// Calls `onReady` on the watcher thread whenever `fd` is readable, until it returns false;
    /// `fd` is the watcher's from then on: closed once forgotten. (A handler that closed it itself
    /// would let its number be reused, and registered by another thread, before the watcher forgot
    /// it, dropping that new registration.)
    func watchOwned(_ fd: Int32, _ onReady: @escaping @Sendable (Int32) -> Bool) {
        lock.lock()
        handlers[fd] = .owned(onReady)
        lock.unlock()
        add(fd)
    }

    private func add(_ fd: Int32) { _ = sl_epoll_add(epoll, fd) }

    private func loop() {
        var ready = [Int32](repeating: -1, count: 64)
        while true {
            let n = sl_epoll_wait(epoll, &ready, Int32(ready.count), -1)
            if n < 0 { continue }   // EINTR
            for i in 0..<Int(n) {
                let fd = ready[i]
                if fd == wakeup { continue }
                lock.lock()
                let handler = handlers[fd]
                lock.unlock()
                switch handler {
                case .once(let c)?:
                    forget(fd)
                    c.resume()
                case .owned(let f)?:
                    if !f(fd) {
                        forget(fd)
                        close(fd)
                    }
                case nil:
                    _ = sl_epoll_del(epoll, fd)
                }
            }
        }
    }

    private func forget(_ fd: Int32) {
        _ = sl_epoll_del(epoll, fd)
        lock.lock()
        handlers[fd] = nil
        lock.unlock()
    }
}
