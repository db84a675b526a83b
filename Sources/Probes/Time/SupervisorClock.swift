#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Where the supervisor reads time. Everything in this module takes instants as arguments; the
/// clock is only read by the loop that drives it, so tests substitute a `ManualClock`.
///
/// Not named `Clock`, which would shadow Swift's own `Clock` protocol in every module importing this one.
public protocol SupervisorClock: Sendable {
    /// Monotonic: for periods, delays and back-off.
    var now: Instant { get }
    /// Wall time: for event timestamps and what people read.
    var wallNow: WallTime { get }
}

/// The machine's clocks: `CLOCK_MONOTONIC` (the kubelet's Go runtime measures with it too) and
/// `CLOCK_REALTIME`.
public struct SystemClock: SupervisorClock {
    public init() {}

    public var now: Instant { Instant(sinceOrigin: Self.read(CLOCK_MONOTONIC)) }
    public var wallNow: WallTime { WallTime(sinceEpoch: Self.read(CLOCK_REALTIME)) }

    private static func read(_ id: clockid_t) -> Duration {
        var spec = timespec()
        // clock_gettime cannot fail for these two clocks on any kernel we run on.
        _ = clock_gettime(id, &spec)
        return .seconds(Int64(spec.tv_sec)) + .nanoseconds(Int64(spec.tv_nsec))
    }
}
