extension PodController {
    /// The supervisor's metrics in the Prometheus text exposition format (version 0.0.4), what
    /// the daemon's socket and `MetricsHTTPServer` answer. The actor only takes a snapshot (and
    /// forgets the series of pods that are gone); the text, megabytes at a thousand pods, is
    /// written on the concurrent pool, never on the probe loop's thread.
    @concurrent public nonisolated func metricsText() async -> String {
        let (metrics, pods) = await metricsSnapshot()
        return metrics.prometheusText(pods: pods)
    }

    func metricsSnapshot() -> (SupervisorMetrics, [PodSnapshot]) {
        let live = pods.values.map { PodSnapshot($0.record) }
        metrics.forgetPods(except: live)
        return (metrics, live)
    }
}
