import Foundation

/// What the benchmarks read from a running supervisor ($SWIFTLET_METRICS): how long probes take
/// from start to result (the kubelet exports the like as `prober_probe_duration_seconds`), and
/// how long a restart takes from the liveness failure decision to the new process running, and
/// how long pod networks take to set up and tear down.
struct SupervisorMetrics: Sendable {
    var probes = LatencyHistogram()
    var probesFailed = 0
    var probesByHandler: [String: Int] = [:]
    var restarts = LatencyHistogram()
    /// A pod's network set up (pin, CNI ADD chain, kept files, /etc files) and torn down (DEL
    /// chain, unpin), as the supervisor's pool thread timed them.
    var networkAdd = LatencyHistogram()
    var networkDel = LatencyHistogram()

    mutating func probeFinished(_ duration: Duration, handler: String, succeeded: Bool) {
        probes.add(duration)
        if !succeeded { probesFailed += 1 }
        probesByHandler[handler, default: 0] += 1
    }

    var json: String {
        let handlers = probesByHandler.sorted { $0.key < $1.key }.map { "\"\($0.key)\": \($0.value)" }.joined(separator: ", ")
        return """
            {"probes": {\(probes.jsonFields), "failed": \(probesFailed), "by_handler": {\(handlers)}},
             "restarts": {\(restarts.jsonFields)},
             "network_add": {\(networkAdd.jsonFields)}, "network_del": {\(networkDel.jsonFields)}}

            """
    }
}
