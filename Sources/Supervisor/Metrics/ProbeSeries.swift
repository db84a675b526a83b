import Prometheus
import Probes

/// The kubelet's metrics of one probe worker (pod, container, probe type), as its
/// `pkg/kubelet/prober/worker.go` keeps them: `prober_probe_total` by result and
/// `prober_probe_duration_seconds` of the probes that succeeded or could not run (a failed
/// probe's time is not observed: the kubelet's histogram is of responses). Series are made on
/// first use, as the kubelet's `With(labels)` makes them.
struct ProbeSeries {
    struct Key: Hashable {
        var podUID: String
        var container: String
        var kind: ProbeType
    }

    /// The kubelet's `result` label values.
    enum Result: String, CaseIterable {
        case successful, failed, unknown

        /// A warning counts as success, as the kubelet's results do. `unknown` is a probe that
        /// could not be run (a named port that is missing, a runtime error): the kubelet throws
        /// those away uncounted; we count them, under the label value it has for them.
        init(_ result: ProbeResult) {
            switch result {
            case .success, .warning: self = .successful
            case .failure: self = .failed
            case .unknown: self = .unknown
            }
        }
    }

    /// The kubelet's `ProberResults` and `ProberDuration` (`pkg/kubelet/prober/prober_manager.go`).
    static var total: MetricNameDescriptor {
        MetricNameDescriptor(subsystem: "prober", metricName: "probe", unitName: "total",
                             helpText: "Cumulative number of a liveness, readiness or startup probe for a container by result.")
    }
    static var durationSeconds: MetricNameDescriptor {
        MetricNameDescriptor(subsystem: "prober", metricName: "probe_duration", unitName: "seconds",
                             helpText: "Duration in seconds for a probe response.")
    }

    /// The kubelet's buckets (Prometheus' defaults, 5 ms to 10 s) with three finer ones below:
    /// our HTTP and TCP probes take 0.5–2 ms, which the defaults put all in their first bucket.
    /// Every default bound is kept, so a query written for the kubelet's `le` values still works.
    static let durationBuckets: [Duration] =
        [.microseconds(500), .milliseconds(1), .microseconds(2500)]
        + [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000].map { .milliseconds($0) }

    let pod: String
    let namespace: String
    private var counters: [Result: Counter] = [:]
    private var duration: DurationHistogram?

    init(pod: String, namespace: String) {
        self.pod = pod
        self.namespace = namespace
    }

    mutating func record(_ result: Result, _ took: Duration, _ key: Key, _ registry: PrometheusCollectorRegistry) {
        if let counter = counters[result] {
            counter.increment()
        } else {
            let counter = registry.makeCounter(
                descriptor: Self.total,
                labels: [("probe_type", key.kind.displayName), ("result", result.rawValue), ("container", key.container),
                         ("pod", pod), ("namespace", namespace), ("pod_uid", key.podUID)])
            counter.increment()
            counters[result] = counter
        }
        guard result != .failed else { return }
        if duration == nil {
            duration = registry.makeDurationHistogram(
                descriptor: Self.durationSeconds,
                labels: [("probe_type", key.kind.displayName), ("container", key.container), ("pod", pod),
                         ("namespace", namespace)],
                buckets: Self.durationBuckets)
        }
        duration?.record(took)
    }

    /// Out of the registry: this worker's pod is gone. `keepDuration`: a pod of the same name
    /// lives, and shares the duration series (it has no `pod_uid`).
    func unregister(from registry: PrometheusCollectorRegistry, keepDuration: Bool) {
        for counter in counters.values { registry.unregisterCounter(counter) }
        if let duration, !keepDuration { registry.unregisterDurationHistogram(duration) }
    }
}
