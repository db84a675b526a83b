import Glibc

/// Runs work in another network namespace on a thread made for it: the thread enters the
/// namespace, runs the work and ends, so no thread that anything else uses ever changes namespace.
enum NetnsThread {
    /// Runs `body` on a new thread in the network namespace at `path` and waits for it.
    static func run<T: Sendable>(in path: String, _ body: @escaping @Sendable () -> T) -> Result<T, NetworkError> {
        let slot = Slot<T>()
        if let failure = run(in: path, { slot.value = body() }) { return .failure(failure) }
        guard let value = slot.value else { return .failure(NetworkError("the thread for network namespace \(path) reported nothing")) }
        return .success(value)
    }

    /// The same without a value: nil when `body` ran in the namespace.
    static func run(in path: String, _ body: @escaping @Sendable () -> Void) -> NetworkError? {
        let job = Job(path: path, body: body)
        let context = Unmanaged.passRetained(job).toOpaque()
        var thread = pthread_t()
        let created = pthread_create(&thread, nil, threadMain, context)
        guard created == 0 else {
            Unmanaged<Job>.fromOpaque(context).release()
            return NetworkError("cannot start a thread for network namespace \(path): \(String(cString: strerror(created)))")
        }
        pthread_join(thread, nil)
        return job.failure
    }

    /// The new thread's entry: takes back the job passed to pthread_create and runs it.
    fileprivate static func start(_ raw: UnsafeMutableRawPointer) {
        Unmanaged<Job>.fromOpaque(raw).takeRetainedValue().run()
    }

    /// A value written by the thread before it ends and read after pthread_join.
    private final class Slot<T>: @unchecked Sendable {
        var value: T?
    }

    private final class Job: @unchecked Sendable {
        let path: String
        let body: @Sendable () -> Void
        /// Written by the thread before it ends, read after pthread_join.
        var failure: NetworkError?

        init(path: String, body: @escaping @Sendable () -> Void) {
            self.path = path
            self.body = body
        }

        func run() {
            let fd = open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else {
                failure = NetworkError("cannot open network namespace \(path): \(String(cString: strerror(errno)))")
                return
            }
            let entered = LinuxCalls.setns(fd, LinuxCalls.cloneNewNet)
            let code = errno
            close(fd)
            guard entered == 0 else {
                failure = NetworkError("cannot enter network namespace \(path): \(String(cString: strerror(code)))")
                return
            }
            body()
        }
    }
}

private func threadMain(_ raw: UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? {
    guard let raw else { return nil }
    NetnsThread.start(raw)
    return nil
}
