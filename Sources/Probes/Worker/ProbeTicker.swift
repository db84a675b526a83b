/// The worker's tick source, modelled on the Go ticker the kubelet uses: ticks fall on a fixed grid
/// (`origin + k·period`), at most one tick waits to be taken and any further ones are dropped.
/// So a probe that outlasts its period runs again as soon as it ends, once, and never alongside
/// itself; the grid does not drift.
struct ProbeTicker: Hashable, Sendable {
    let origin: Instant
    let period: Duration
    /// Grid ticks accounted for so far, whether taken, waiting or dropped.
    private var ticksSeen: Int64 = 0
    private var tickWaiting = false

    init(origin: Instant, period: Duration) {
        self.origin = origin
        // A zero period would tick forever; validation forbids it, the ticker refuses it too.
        self.period = max(period, .nanoseconds(1))
    }

    /// Lets every tick up to `now` fire into the one-slot buffer.
    mutating func fire(upTo now: Instant) {
        let due = ticks(upTo: now)
        if due > ticksSeen {
            ticksSeen = due
            tickWaiting = true
        }
    }

    /// Takes the waiting tick, if any.
    mutating func take() -> Bool {
        defer { tickWaiting = false }
        return tickWaiting
    }

    /// The first grid tick strictly after `now`.
    func next(after now: Instant) -> Instant {
        origin + period * Int(ticks(upTo: now) + 1)
    }

    /// Number of grid ticks (k ≥ 1) at or before `now`.
    private func ticks(upTo now: Instant) -> Int64 {
        let elapsed = (now - origin).wholeNanoseconds
        return elapsed <= 0 ? 0 : elapsed / period.wholeNanoseconds
    }
}
