import Foundation
import NIOCore
import Probes

/// The probe loop, driven by one timer on the event loop the actor runs on: it asks the probe
/// manager what is due, starts those probes, and sets the timer for the next one. A finished
/// probe does the same at once, so a thousand probes a second cost a thousand small polls and no
/// thread switch: HTTP and TCP probes run on this very thread; only exec probes leave it.
extension PodController {
    /// Starts what is due and sets the timer for what comes next (at most a second away, so a
    /// change that forgot to call this is still noticed). Called as well whenever the probe
    /// workers change (a container started, a pod is going), to look at once.
    func scheduleProbes() {
        guard !pods.isEmpty else {
            probeTimer?.cancel()
            probeTimer = nil
            return
        }
        let now = clock.now
        let due = min(startDueProbes(at: now) ?? now + .seconds(1), now + .seconds(1))
        // Timer slack, as the kernel gives timers: probes falling due close together start in one
        // wake-up, at most `probeTimerSlack` late. Every wake-up is a context switch, and with
        // hundreds of pods they would otherwise come one per probe.
        let next = due + Self.probeTimerSlack
        if probeTimer != nil, let planned = probeTimerAt, planned <= next { return }
        probeTimer?.cancel()
        probeTimerAt = next
        let delay = max(next - now, .milliseconds(1))
        probeTimer = probeIO.eventLoop.scheduleTask(in: TimeAmount(delay)) {
            self.assumeIsolated { controller in
                controller.probeTimer = nil
                controller.scheduleProbes()
            }
        }
    }

    static let probeTimerSlack: Duration = .milliseconds(5)

    /// Starts every probe that is due; returns when the next one falls due.
    private func startDueProbes(at now: Instant) -> Instant? {
        let poll = probes.poll(at: now)
        for due in poll.due {
            guard let pod = pods[due.key.pod], let target = probeTarget(pod, due.key) else { continue }
            let started = ContinuousClock.now
            switch target {
            case .http(let t, let netns, let timeout):
                probeIO.http(t, netns: netns, timeout: timeout).whenSuccess { outcome in
                    self.assumeIsolated { $0.probeFinished(due, Self.result(outcome), target: target, since: started) }
                }
            case .tcp(let host, let port, let netns, let timeout):
                probeIO.tcp(host: host, port: port, netns: netns, timeout: timeout).whenSuccess { outcome in
                    self.assumeIsolated { $0.probeFinished(due, Self.result(outcome), target: target, since: started) }
                }
            case .grpc(let t, let netns, let timeout):
                probeIO.grpc(t, netns: netns, timeout: timeout).whenSuccess { outcome in
                    self.assumeIsolated { $0.probeFinished(due, Self.result(outcome), target: target, since: started) }
                }
            case .exec, .unknown:
                Task {
                    let result = await self.execute(target)
                    self.probeFinished(due, result, target: target, since: started)
                }
            }
        }
        return poll.wakeAt
    }

    private func probeFinished(_ due: ProbeManager.DueProbe, _ result: ProbeResult, target: ProbeTarget,
                               since started: ContinuousClock.Instant) {
        if let pod = pods[due.key.pod] {
            metrics.probeFinished(ContinuousClock.now - started, handler: target.handlerName, result: result, kind: due.key.kind,
                                  pod: pod.name, namespace: pod.record.namespace, podUID: pod.record.uid, container: due.key.container)
        }
        let outcome = probes.record(result, for: due.key, at: clock.now)
        if let pod = pods[due.key.pod] {
            if let event = outcome.event { record(pod, container: due.key.container, event) }
            // Status (started, ready, phase) follows the published results only: most probes
            // publish nothing new and leave it as it was.
            if !outcome.updates.isEmpty {
                apply(outcome.updates, pod)
                refreshStatus(pod)
            }
        }
        scheduleProbes()
    }
}

extension ProbeTarget {
    var handlerName: String {
        switch self {
        case .http: "httpGet"
        case .tcp: "tcpSocket"
        case .grpc: "grpc"
        case .exec: "exec"
        case .unknown: "unknown"
        }
    }
}

extension ProbeResult {
    var isSuccess: Bool {
        switch self {
        case .success, .warning: true
        case .failure, .unknown: false
        }
    }
}
