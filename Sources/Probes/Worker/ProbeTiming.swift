/// The timing fields of a Kubernetes probe, in its own units (whole seconds), with its defaults.
/// Validation (ranges, `successThreshold` 1 for liveness and startup) belongs to the pod spec.
public struct ProbeTiming: Hashable, Sendable {
    public var initialDelaySeconds: Int
    public var periodSeconds: Int
    public var timeoutSeconds: Int
    public var successThreshold: Int
    public var failureThreshold: Int

    public init(
        initialDelaySeconds: Int = 0,
        periodSeconds: Int = 10,
        timeoutSeconds: Int = 1,
        successThreshold: Int = 1,
        failureThreshold: Int = 3
    ) {
        self.initialDelaySeconds = initialDelaySeconds
        self.periodSeconds = periodSeconds
        self.timeoutSeconds = timeoutSeconds
        self.successThreshold = successThreshold
        self.failureThreshold = failureThreshold
    }

    public var period: Duration { .seconds(periodSeconds) }
    /// May exceed the period: the worker then drops ticks rather than overlap probes.
    public var timeout: Duration { .seconds(timeoutSeconds) }

    /// How many equal results in a row it takes to publish `state`.
    func threshold(for state: ProbeState) -> Int {
        state == .failure ? failureThreshold : successThreshold
    }
}
