import Probes
import Testing

/// An instant `seconds` after the origin, exact to the millisecond.
func at(_ seconds: Double) -> Instant {
    Instant(sinceOrigin: .milliseconds(Int64((seconds * 1000).rounded())))
}

/// A published change, with the probe run that made it (nil when an event made it).
struct Published: Equatable, CustomStringConvertible {
    var time: Instant
    var probe: Int?
    var state: ProbeState
    var cause: ProbeTransition.Cause

    var description: String { "\(state) at \(time) (probe \(probe.map(String.init) ?? "-"), \(cause))" }
}

/// Drives a `ProbeWorker` as the supervisor's loop will: ask what to do, run the probe (taking
/// `probeDuration`), record its result, sleep until told. Container events are injected between runs.
struct WorkerLoop {
    var worker: ProbeWorker
    private(set) var now: Instant
    var probeDuration: Duration = .zero
    /// Answers probe number n (from 0) started at the given instant.
    var respond: (Int, Instant) -> ProbeResult = { _, _ in .success }
    private(set) var probeStarts: [Instant] = []
    private(set) var published: [Published] = []
    private(set) var events: [EventNote] = []

    init(_ worker: ProbeWorker, at start: Instant = .zero) {
        self.worker = worker
        self.now = start
    }

    /// Answers probes from a script: S success, F failure, W warning, U unknown (errored).
    mutating func script(_ results: String) {
        let letters = Array(results)
        respond = { index, _ in
            guard index < letters.count else { return .success }
            switch letters[index] {
            case "F": return .failure(output: "probe \(index) failed")
            case "W": return .warning(output: "probe \(index) warned")
            case "U": return .unknown(error: "probe \(index) errored")
            default: return .success
            }
        }
    }

    /// Runs everything due up to `end` and leaves the loop there (or later, if a probe ran past it).
    mutating func run(until end: Instant) {
        while now <= end {
            switch worker.nextAction(at: now) {
            case .probe:
                let index = probeStarts.count
                probeStarts.append(now)
                let result = respond(index, now)
                now = now + probeDuration
                let record = worker.record(result, at: now)
                if let event = record.event { events.append(event) }
                if let transition = record.transition { log(transition, probe: index) }
            case .sleep(let until):
                guard until <= end else {
                    now = max(now, end)
                    return
                }
                now = until
            case .awaitingResult(let instance):
                Issue.record("the loop found \(instance) still being probed")
                return
            case .stopped:
                now = max(now, end)
                return
            }
        }
    }

    mutating func start(_ instance: String, at time: Instant) {
        run(until: time)
        if let transition = worker.containerStarted(ContainerInstanceID(instance), at: now) { log(transition, probe: nil) }
    }

    mutating func exit(at time: Instant, willRestart: Bool = true) {
        run(until: time)
        if let transition = worker.containerExited(willRestart: willRestart) { log(transition, probe: nil) }
    }

    mutating func deletePod(at time: Instant) {
        run(until: time)
        if let transition = worker.podDeleting() { log(transition, probe: nil) }
    }

    mutating func startupSucceeded(_ instance: String, at time: Instant) {
        run(until: time)
        worker.startupSucceeded(for: ContainerInstanceID(instance))
    }

    /// Published changes made by probe runs, as (probe index, state).
    var probed: [Published] { published.filter { $0.cause == .probed } }

    private mutating func log(_ transition: ProbeTransition, probe: Int?) {
        published.append(Published(time: now, probe: probe, state: transition.state, cause: transition.cause))
    }
}

extension ProbeTiming {
    /// Whole-second timing for tests, with the kubelet's thresholds unless given.
    static func every(_ period: Int, delay: Int = 0, success: Int = 1, failure: Int = 3) -> ProbeTiming {
        ProbeTiming(initialDelaySeconds: delay, periodSeconds: period, successThreshold: success, failureThreshold: failure)
    }
}
