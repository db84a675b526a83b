import Prometheus
import Probes

/// The kubelet's probe metrics (`pkg/kubelet/prober/prober_manager.go`, kept as its `worker.go`
/// keeps them): `prober_probe_total` per probe worker by result, and
/// `prober_probe_duration_seconds` of the probes that succeeded or could not run (a failed
/// probe's time is not observed: the kubelet's histogram is of responses). Series are made on
/// first use, as the kubelet's `With(labels)` makes them, and dropped when their pod is gone.
struct KubeletProbeMetrics {
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

    private struct TotalKey: Hashable {
        var podUID: String
        var container: String
        var kind: ProbeType
        var result: Result
    }

    /// No `pod_uid`: a new pod of the same name records into the same series.
    private struct DurationKey: Hashable {
        var namespace: String
        var pod: String
        var container: String
        var kind: ProbeType
    }

    /// The registry's series, found without building their labels again.
    private var totals: [TotalKey: Counter] = [:]
    private var durations: [DurationKey: DurationHistogram] = [:]

    mutating func record(_ result: Result, _ took: Duration, kind: ProbeType, pod: String, namespace: String, podUID: String,
                         container: String, in registry: PrometheusCollectorRegistry) {
        let totalKey = TotalKey(podUID: podUID, container: container, kind: kind, result: result)
        if let counter = totals[totalKey] {
            counter.increment()
        } else {
            let counter = registry.makeCounter(
                descriptor: Self.total,
                labels: [("probe_type", kind.displayName), ("result", result.rawValue), ("container", container),
                         ("pod", pod), ("namespace", namespace), ("pod_uid", podUID)])
            counter.increment()
            totals[totalKey] = counter
        }
        guard result != .failed else { return }
        let durationKey = DurationKey(namespace: namespace, pod: pod, container: container, kind: kind)
        if let histogram = durations[durationKey] {
            histogram.record(took)
        } else {
            let histogram = registry.makeDurationHistogram(
                descriptor: Self.durationSeconds,
                labels: [("probe_type", kind.displayName), ("container", container), ("pod", pod), ("namespace", namespace)],
                buckets: Self.durationBuckets)
            histogram.record(took)
            durations[durationKey] = histogram
        }
    }

    /// Drops the series of pods not in `live`, as the kubelet does when a probe worker stops.
    mutating func forget(except live: [PodSnapshot], in registry: PrometheusCollectorRegistry) {
        let uids = Set(live.map(\.uid))
        let names = Set(live.map { [$0.namespace, $0.name] })
        for (key, counter) in totals where !uids.contains(key.podUID) {
            registry.unregisterCounter(counter)
            totals[key] = nil
        }
        for (key, histogram) in durations where !names.contains([key.namespace, key.pod]) {
            registry.unregisterDurationHistogram(histogram)
            durations[key] = nil
        }
    }
}
