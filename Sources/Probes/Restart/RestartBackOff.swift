/// Crash-loop back-off for one container: the kubelet's `flowcontrol.Backoff` as its `doBackOff`
/// uses it. The first restart is immediate; each later one waits `initial`, doubling up to
/// `maximum`, counted from the last exit. An entry left untouched for 2 × `maximum` (10 minutes by
/// default) is forgotten, so a container that ran that long restarts at once and starts over.
public struct RestartBackOff: Hashable, Sendable {
    public let initial: Duration
    public let maximum: Duration
    /// The back-off in force, once the container has been restarted.
    public private(set) var current: Duration?
    private var lastRestart: Instant?

    /// `--backoff-initial` and `--backoff-max` change the kubelet's 10 s and 300 s.
    public init(initial: Duration = .seconds(10), maximum: Duration = .seconds(300)) {
        self.initial = initial
        self.maximum = max(maximum, initial)
    }

    public enum Decision: Hashable, Sendable {
        case restartNow
        /// Not before `until`; `backOff` is the full window, which the kubelet's messages quote.
        case wait(backOff: Duration, until: Instant)
    }

    /// A sync wants to start the container again; its last instance exited at `lastExit`.
    /// Restarting now moves the back-off to its next step.
    public mutating func restart(lastExit: Instant, now: Instant) -> Decision {
        if let lastRestart, lastExit - lastRestart > maximum * 2 || now - lastRestart > maximum * 2 {
            // The kubelet's hasExpired (the container ran long enough) and its periodic GC.
            current = nil
            self.lastRestart = nil
        }
        if let current, now - lastExit < current {
            return .wait(backOff: current, until: lastExit + current)
        }
        current = current.map { min($0 * 2, maximum) } ?? initial
        lastRestart = now
        return .restartNow
    }

    /// What a restarted daemon needs to go on where this back-off was: the kubelet keeps it in
    /// memory only, so a crash-looping container would get a fresh fast restart after every
    /// kubelet restart; swiftlet keeps it in the pod's record instead. Instants are CLOCK_MONOTONIC,
    /// which counts from boot and so means the same in the next daemon.
    public struct Saved: Codable, Hashable, Sendable {
        public var currentNanoseconds: Int64?
        public var lastRestartNanoseconds: Int64?
        public init(currentNanoseconds: Int64?, lastRestartNanoseconds: Int64?) {
            self.currentNanoseconds = currentNanoseconds
            self.lastRestartNanoseconds = lastRestartNanoseconds
        }
    }

    public var saved: Saved {
        Saved(currentNanoseconds: current.map(Self.nanoseconds), lastRestartNanoseconds: lastRestart.map { Self.nanoseconds($0.sinceOrigin) })
    }

    public init(initial: Duration, maximum: Duration, saved: Saved?) {
        self.init(initial: initial, maximum: maximum)
        current = saved?.currentNanoseconds.map { .nanoseconds($0) }
        lastRestart = saved?.lastRestartNanoseconds.map { Instant(sinceOrigin: .nanoseconds($0)) }
    }

    static func nanoseconds(_ d: Duration) -> Int64 {
        d.components.seconds * 1_000_000_000 + d.components.attoseconds / 1_000_000_000
    }
}
