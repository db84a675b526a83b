import Foundation
import Probes

/// `spec.activeDeadlineSeconds` (pkg/kubelet/active_deadline.go): once the pod has been active
/// that long since `status.startTime`, it fails for good: phase Failed, reason
/// `DeadlineExceeded`, an event saying so; every container is stopped (preStop hooks run, the
/// pod's grace period applies) and none starts again.
extension PodController {
    static let deadlineExceededReason = "DeadlineExceeded"

    /// Arms the pod's deadline; a pod taken over that had already failed stays failed.
    func watchActiveDeadline(_ pod: PodState) {
        if pod.record.reason == Self.deadlineExceededReason {
            pod.deadlineExceeded = true
            return
        }
        guard let seconds = pod.pod.spec.activeDeadlineSeconds, let start = pod.record.startTime else { return }
        Task {
            let left = start.addingTimeInterval(TimeInterval(seconds)).timeIntervalSinceNow
            if left > 0 { try? await Task.sleep(for: .milliseconds(Int64(left * 1000))) }
            self.activeDeadlineExceeded(pod)
        }
    }

    private func activeDeadlineExceeded(_ pod: PodState) {
        // Gone, going, or done by itself: the kubelet checks only pods that are still active.
        guard pods[pod.name] === pod, !pod.deleting, !pod.deadlineExceeded,
              pod.finished.count < pod.pod.spec.containers.count else { return }
        pod.deadlineExceeded = true
        pod.record.reason = Self.deadlineExceededReason
        pod.record.message = EventMessages.deadlineExceeded.message
        record(pod, container: nil, EventMessages.deadlineExceeded)
        for c in pod.pod.spec.containers {
            pod.finished.insert(c.name)
            if pod.instances[c.name] != nil {
                kill(pod, c.name, reason: .stopping, graceSeconds: graceSeconds(pod, c.name, reason: .stopping))
            } else {
                // Waiting out a back-off: it stays where it is, never to start.
                pod.update(c.name) { r in r.startPending = nil }
            }
        }
        refreshStatus(pod)
    }
}
