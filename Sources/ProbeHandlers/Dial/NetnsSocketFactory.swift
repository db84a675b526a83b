import Glibc
import NIOCore
import Synchronization

/// Makes TCP connections from inside pods' network namespaces on a few dedicated threads
/// (1–4), so that no thread of the Swift concurrency pool ever calls setns. The sockets it
/// returns keep their namespace and can be used from any thread (e.g. adopted by SwiftNIO).
final class NetnsSocketFactory: Sendable {
    private let threads: [DialThread]
    private let cache = NetnsCache()
    private let nextThread = Atomic<Int>(0)

    init(threads count: Int = 2) throws {
        var started: [DialThread] = []
        do {
            for index in 0..<min(max(count, 1), 4) {
                started.append(try DialThread(name: "probe-dial-\(index)"))
            }
        } catch {
            for thread in started { thread.stop {} }
            throw error
        }
        threads = started
    }

    /// A connected, non-blocking, close-on-exec TCP socket made inside `netns` (a path such as
    /// `/proc/<pid>/ns/net`), reported on `eventLoop`: SwiftNIO can adopt the socket right there.
    /// Whoever takes the future's value owns the fd. Fails with `NetnsError` when the namespace
    /// cannot be used and `DialError` when the connection fails or `deadline` passes. For host
    /// names (which need a blocking lookup); the loop dials numeric addresses itself.
    func connect(
        host: String, port: Int, netns: String, deadline: NIODeadline, on eventLoop: any EventLoop
    ) -> EventLoopFuture<CInt> {
        let promise = eventLoop.makePromise(of: CInt.self)
        submit(host: host, port: port, netns: netns, deadline: deadline) { promise.completeWith($0) }
        return promise.futureResult
    }

    /// Hand a dial to a thread; `complete` runs exactly once, on the dial thread or right here.
    private func submit(
        host: String, port: Int, netns: String, deadline: NIODeadline,
        complete: @escaping @Sendable (Result<CInt, any Error>) -> Void
    ) {
        let handle: NetnsHandle
        do {
            handle = try cache.handle(for: netns)
        } catch {
            return complete(.failure(error))
        }
        let job = DialJob(netns: handle, host: host, port: port, deadline: deadline, complete: complete)
        if !pickThread().submit(job) { complete(.failure(DialError.shutdown)) }
    }

    /// The cached handle of a namespace (opened on first use).
    func namespace(_ path: String) throws(NetnsError) -> NetnsHandle {
        try cache.handle(for: path)
    }

    /// Wait on a dial thread for a connect another thread started on `fd` (which passes to the
    /// dial thread); the result is reported on `eventLoop`.
    func finishConnect(
        _ fd: CInt, host: String, port: Int, netns: NetnsHandle, deadline: NIODeadline, on eventLoop: any EventLoop
    ) -> EventLoopFuture<CInt> {
        let promise = eventLoop.makePromise(of: CInt.self)
        let job = DialJob(netns: netns, host: host, port: port, deadline: deadline) { promise.completeWith($0) }
        if !pickThread().submit(job, inProgress: fd) {
            close(fd)
            promise.fail(DialError.shutdown)
        }
        return promise.futureResult
    }

    /// Close the cached namespace fd of a pod that is gone. Dials in flight finish first.
    func release(netns path: String) {
        cache.release(path)
    }

    /// Fail whatever is queued or in flight, and end the threads.
    func shutdown() async {
        for thread in threads {
            await withCheckedContinuation { continuation in thread.stop { continuation.resume() } }
        }
        cache.removeAll()
    }

    private func pickThread() -> DialThread {
        let ticket = nextThread.wrappingAdd(1, ordering: .relaxed).oldValue
        return threads[Int(UInt(bitPattern: ticket) % UInt(threads.count))]
    }
}
