#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A clock that moves only when told to: tests advance it and every rule runs in microseconds.
/// Shared by reference (the code under test and the test both hold it), so it locks.
public final class ManualClock: SupervisorClock, @unchecked Sendable {
    // @unchecked: every read and write of the two times below goes through `lock`.
    private let lock = PThreadMutex()
    private var monotonic: Instant
    private var wall: WallTime

    /// Wall time starts at an arbitrary fixed date so rendered timestamps are reproducible.
    public init(now: Instant = .zero, wallNow: WallTime = WallTime(secondsSinceEpoch: 1_700_000_000)) {
        monotonic = now
        wall = wallNow
    }

    public var now: Instant { lock.withLock { monotonic } }
    public var wallNow: WallTime { lock.withLock { wall } }

    /// Moves both clocks forward together, as real time would.
    public func advance(by duration: Duration) {
        lock.withLock {
            monotonic = monotonic + duration
            wall = wall + duration
        }
    }
}

/// A heap-allocated pthread mutex: a mutex must not move, and Synchronization.Mutex needs macOS 15
/// while the package still builds for macOS 14.
final class PThreadMutex: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>

    init() {
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deinitialize(count: 1)
        mutex.deallocate()
    }

    func withLock<T>(_ body: () throws -> T) rethrows -> T {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body()
    }
}
