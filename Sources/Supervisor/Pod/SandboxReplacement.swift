import ContainerRuntime
import Foundation
import Probes

/// A pod whose sandbox dies (its pause process killed) gets a new one, as the kubelet does when
/// a sandbox is no longer ready: every container is stopped, the old network attachment is
/// released (CNI DEL while the namespace is still pinned), a new sandbox with a new id gets a
/// new network (so the pod's IP may change), and the containers start again in it.
extension PodController {
    /// Waits for the pause process to exit; a death the pod did not ask for replaces it. The task
    /// holds the sandbox, so its pidfd stays open until then.
    func watchSandbox(_ pod: PodState, _ sandbox: PodSandbox) {
        let box = SendableBox(sandbox)
        Task {
            await watcher.readable(box.value.exitFD)
            await self.sandboxExited(pod, box)
        }
    }

    private func sandboxExited(_ pod: PodState, _ old: SendableBox<PodSandbox>) async {
        guard pods[pod.name] === pod, !pod.deleting, pod.sandbox?.value === old.value, !pod.replacingSandbox else { return }
        await replaceSandbox(pod, old: old)
    }

    /// A new sandbox and network for the pod; `old` nil: the sandbox was found dead when a daemon
    /// took the pod over.
    func replaceSandbox(_ pod: PodState, old: SendableBox<PodSandbox>?) async {
        pod.replacingSandbox = true
        defer { pod.replacingSandbox = false }
        record(pod, container: nil, EventNote(.normal, reason: "SandboxChanged",
                                              message: "Pod sandbox changed, it will be killed and re-created."))
        if let old { Self.stop(old.value, keeper: keeper) }   // waits for it; the keeper forgets it
        for name in pod.instances.keys {
            kill(pod, name, reason: .stopping, graceSeconds: graceSeconds(pod, name, reason: .stopping))
        }
        while !pod.instances.isEmpty || !pod.starting.isEmpty { try? await Task.sleep(for: .milliseconds(50)) }
        await releaseNetwork(pod)
        // The kubelet retries a sandbox that cannot be made on every sync; so do we, until it
        // works or the pod is deleted.
        while !pod.deleting {
            do {
                try await setUpSandbox(pod)
                return
            } catch {
                record(pod, container: nil, EventNote(.warning, reason: "FailedCreatePodSandBox",
                                                      message: "Failed to create pod sandbox: \(error)"))
                try? await Task.sleep(for: .seconds(10))
            }
        }
    }
}
