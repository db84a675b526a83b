/// A point on the supervisor's monotonic clock, as time since that clock's origin.
///
/// Probe timing (periods, initial delay, back-off) is measured on this clock so that a change of
/// the wall clock can neither fire nor starve a probe. Wall time is kept apart, in `WallTime`,
/// and used only for what people read (event timestamps, ages).
public struct Instant: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var sinceOrigin: Duration

    public init(sinceOrigin: Duration) {
        self.sinceOrigin = sinceOrigin
    }

    public static let zero = Instant(sinceOrigin: .zero)

    public static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.sinceOrigin < rhs.sinceOrigin }
    public static func + (lhs: Instant, rhs: Duration) -> Instant { Instant(sinceOrigin: lhs.sinceOrigin + rhs) }
    public static func - (lhs: Instant, rhs: Duration) -> Instant { Instant(sinceOrigin: lhs.sinceOrigin - rhs) }
    public static func - (lhs: Instant, rhs: Instant) -> Duration { lhs.sinceOrigin - rhs.sinceOrigin }

    public var description: String { "t+\(sinceOrigin)" }
}
