import Foundation
import PodSpec
import Probes

/// Where a pod's volumes are: set up once before its first container starts.
struct PodVolumeState {
    var mounted = false
    /// The set-up that runs (containers of the pod wait for the same one).
    var mounting: Task<Void, Never>?
    /// The last attempt failed (a ConfigMap or Secret is missing): containers stay
    /// ContainerCreating while it is retried.
    var failing = false
}

extension PodController {
    /// The kubelet's volume manager retry (nestedpendingoperations): 500 ms, doubling, at most 2m2s.
    static let mountRetryInitial: Duration = .milliseconds(500)
    static let mountRetryMax: Duration = .seconds(122)

    /// Sets up the pod's volumes unless done; false when the pod is deleted first. A volume that
    /// cannot be set up is retried with back-off, each failure a `FailedMount` warning, while
    /// the containers stay `ContainerCreating`, as on a node: creating the missing ConfigMap or
    /// Secret lets the pod start.
    func mountVolumes(_ pod: PodState) async -> Bool {
        if pod.volumes.mounted { return true }
        if pod.volumes.mounting == nil {
            pod.volumes.mounting = Task { await self.retryMounts(pod) }
        }
        await pod.volumes.mounting?.value
        return pod.volumes.mounted
    }

    private func retryMounts(_ pod: PodState) async {
        var delay = Self.mountRetryInitial
        while !pod.deleting {
            let payload = VolumePayload(pod: pod.pod, objects: ConfigStore(root: store.root), context: downwardAPIContext(pod))
            let volumes = PodVolumes(pod: pod.pod, store: store, payload: payload, fsGroup: PodSecurity.fsGroup(pod.pod))
            let failures = await disk.run { volumes.setUp() }
            if failures.isEmpty {
                pod.volumes.mounted = true
                pod.volumes.failing = false
                return
            }
            pod.volumes.failing = true
            for failure in failures {
                record(pod, container: nil, EventNote(.warning, reason: "FailedMount",
                                                      message: "MountVolume.SetUp failed for volume \"\(failure.volume)\" : \(failure.message)"))
            }
            let until = ContinuousClock.now + delay
            while !pod.deleting, ContinuousClock.now < until { try? await Task.sleep(for: .milliseconds(100)) }
            delay = min(delay * 2, Self.mountRetryMax)
        }
    }

}
