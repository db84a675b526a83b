import Prometheus
import Probes

/// What a supervisor measures, for `swiftlet`'s metrics endpoint in the Prometheus text format:
/// the kubelet's probe families (`prober_probe_total`, `prober_probe_duration_seconds`, with its
/// names, labels and label values) and swiftlet's own: how long probes take from start to
/// result, how long a restart takes from the liveness failure decision to the new process
/// running, how long pod networks take to set up and tear down, and at scrape time pods by
/// phase, containers by state and restarts by container.
///
/// Owned by the PodController actor. The kubelet's families live in a swift-prometheus registry
/// (a reference: a copy of this value scrapes the same registry); swiftlet's latencies are
/// `LatencyHistogram` values, exported with their own fine buckets, so a reader takes p50 and
/// p99 of any window from two scrapes (the difference of their buckets), to within 13%.
struct SupervisorMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    /// Every probe, whatever its result, start to result.
    var probes = LatencyHistogram()
    var restarts = LatencyHistogram()
    /// A pod's network set up (pin, CNI ADD chain, kept files, /etc files) and torn down (DEL
    /// chain, unpin), as the supervisor's pool thread timed them.
    var networkAdd = LatencyHistogram()
    var networkDel = LatencyHistogram()
    private var kubelet = KubeletProbeMetrics()
    private var handlerCounters: [String: Counter] = [:]

    static var handlerFamily: MetricNameDescriptor {
        MetricNameDescriptor(namespace: "swiftlet", metricName: "probes_by_handler", unitName: "total",
                             helpText: "Probes run, by handler (httpGet, tcpSocket, grpc, exec), whatever their result.")
    }
    static var podsFamily: MetricNameDescriptor {
        MetricNameDescriptor(namespace: "swiftlet", metricName: "pods", unitName: "", helpText: "Pods by phase.")
    }
    static var containersFamily: MetricNameDescriptor {
        MetricNameDescriptor(namespace: "swiftlet", metricName: "containers", unitName: "",
                             helpText: "Containers by state: running, waiting or terminated.")
    }

    mutating func probeFinished(_ duration: Duration, handler: String, result: ProbeResult, kind: ProbeType,
                                pod: String, namespace: String, podUID: String, container: String) {
        probes.add(duration)
        handlerCounter(handler).increment()
        kubelet.record(KubeletProbeMetrics.Result(result), duration, kind: kind, pod: pod, namespace: namespace, podUID: podUID,
                       container: container, in: registry)
    }

    private mutating func handlerCounter(_ handler: String) -> Counter {
        if let counter = handlerCounters[handler] { return counter }
        let counter = registry.makeCounter(descriptor: Self.handlerFamily, labels: [("handler", handler)])
        handlerCounters[handler] = counter
        return counter
    }

    /// Drops the kubelet's series of pods that are gone (what swiftlet counts for itself stays).
    mutating func forgetPods(except live: [PodSnapshot]) {
        kubelet.forget(except: live, in: registry)
    }

    /// The whole exposition: the registry's families, then gauges and counters computed from
    /// `pods` now, then swiftlet's latency histograms.
    func prometheusText(pods: [PodSnapshot]) -> String {
        var phases = Dictionary(uniqueKeysWithValues: PodPhase.allCases.map { ($0.rawValue, 0) })
        var states = Dictionary(uniqueKeysWithValues: PodSnapshot.State.allCases.map { ($0.rawValue, 0) })
        for pod in pods {
            // A phase of no name we know (none is written) counts as Unknown: every series is
            // set at each scrape, none keeps a stale value.
            phases[phases[pod.phase] == nil ? PodPhase.unknown.rawValue : pod.phase, default: 0] += 1
            for c in pod.containers { states[c.state.rawValue, default: 0] += 1 }
        }
        for (phase, n) in phases {
            registry.makeGauge(descriptor: Self.podsFamily, labels: [("phase", phase)]).set(Double(n))
        }
        for (state, n) in states {
            registry.makeGauge(descriptor: Self.containersFamily, labels: [("state", state)]).set(Double(n))
        }
        var out = ExpositionWriter()
        registry.emit(into: &out.bytes)

        out.family("swiftlet_container_restarts_total", type: "counter",
                   help: "Restarts of a container of a pod (its restartCount).")
        for pod in pods {
            for c in pod.containers {
                out.sample("swiftlet_container_restarts_total",
                           [("pod", pod.name), ("namespace", pod.namespace), ("container", c.name)], "\(c.restarts)")
            }
        }
        out.histogram("swiftlet_probe_latency_seconds", help: "Probes from start to result, every handler and result.", probes)
        out.histogram("swiftlet_restart_latency_seconds",
                      help: "Restarts from the liveness failure decision to the new process running.", restarts)
        out.histogram("swiftlet_network_setup_seconds",
                      help: "Pod networks set up: netns pinned, CNI ADD chain, kept attachment, /etc files.", networkAdd)
        out.histogram("swiftlet_network_teardown_seconds", help: "Pod networks torn down: CNI DEL chain, netns unpinned.",
                      networkDel)
        return String(decoding: out.bytes, as: UTF8.self)
    }
}
