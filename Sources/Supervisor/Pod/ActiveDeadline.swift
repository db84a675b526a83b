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
        let containers = pod.pod.spec.containers
        guard pods[pod.name] === pod, !pod.deleting, !pod.deadlineExceeded,
              !containers.allSatisfy({ pod.finished.contains($0.name) }) else { return }
        pod.deadlineExceeded = true
        pod.record.reason = Self.deadlineExceededReason
        pod.record.message = EventMessages.deadlineExceeded.message
        record(pod, container: nil, EventMessages.deadlineExceeded)
        // Nothing starts again (init containers, sidecars, app containers: runContainer and the
        // restart rule check the flag); a container waiting out a back-off stays where it is.
        for c in containers { pod.finished.insert(c.name) }
        for c in containers where pod.instances[c.name] == nil { pod.update(c.name) { r in r.startPending = nil } }
        refreshStatus(pod)
        // The kubelet's killPod: app containers first, then the sidecars in reverse order.
        Task { await self.stopInTerminationOrder(pod, deletionGrace: nil) }
    }
}
