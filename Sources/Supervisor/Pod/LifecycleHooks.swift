import ContainerRuntime
import Foundation
import GoFormat
import PodSpec
import ProbeHandlers
import Probes

/// postStart and preStop hooks, as the kubelet runs them (pkg/kubelet/lifecycle/handlers.go,
/// kuberuntime_container.go `startContainer`, `killContainer`, `executePreStopHook`).
extension PodController {
    /// The postStart hook of a container just started, before it counts as running and before
    /// its probes start. False when the container must not go on: the hook failed (the container
    /// is then killed, `FailedPostStartHook`, and the restart policy applies to its exit) or the
    /// container is being killed anyway.
    func runPostStart(_ pod: PodState, _ spec: PodSpec.Container, _ instance: Instance) async -> Bool {
        guard let hook = spec.lifecycle?.postStart else { return true }
        let result = HookResult()
        Task { result.set(await self.runHook(hook, pod, spec, instance)) }
        // A kill (the pod deleted meanwhile) ends the wait: the hook dies with the container.
        while !result.isDone && instance.killReason == nil { try? await Task.sleep(for: .milliseconds(20)) }
        guard instance.killReason == nil else { return false }
        guard let failure = result.failure else { return true }
        FileHandle.standardError.write(Data("swiftlet: \(failure)\n".utf8))
        pod.postStartFailures[spec.name] = failure
        record(pod, container: spec.name, EventMessages.failedPostStartHook)
        kill(pod, spec.name, reason: .postStartHook, graceSeconds: graceSeconds(pod, spec.name, reason: .postStartHook))
        return false
    }

    /// The container's preStop hook, if it has one.
    func preStopHook(_ pod: PodState, _ name: String) -> LifecycleHandler? {
        pod.pod.spec.anyContainer(named: name)?.lifecycle?.preStop
    }

    /// Runs the preStop hook inside the grace period, then stops the container with what is left
    /// of it: the kubelet subtracts the hook's whole seconds and gives at least 2 s. A failed hook
    /// is reported (`FailedPreStopHook`) and the stop goes on; a hook still running when the
    /// grace period ends is left to die with the container.
    func stopAfterPreStop(_ pod: PodState, _ name: String, _ instance: Instance, _ hook: LifecycleHandler,
                          graceSeconds: Int64) async {
        guard let spec = pod.pod.spec.anyContainer(named: name) else { return }
        let start = ContinuousClock.now
        let result = HookResult()
        Task {
            let failure = await self.runHook(hook, pod, spec, instance, bound: .seconds(graceSeconds))
            if let failure {
                FileHandle.standardError.write(Data("swiftlet: \(failure)\n".utf8))
                self.record(pod, container: name, EventMessages.failedPreStopHook)
            }
            result.set(failure)
        }
        let deadline = start + .seconds(graceSeconds)
        while !result.isDone && !instance.exited && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        let took = (ContinuousClock.now - start).components.seconds
        signalAndWait(pod, name, instance, graceSeconds: max(graceSeconds - took, GracePeriod.minimumSeconds))
    }

    /// Runs one handler to its end; nil on success, else the kubelet's message. `bound` limits
    /// what has no limit of its own in the kubelet (a hung HTTP server); exec commands end with
    /// the container at the latest.
    func runHook(_ hook: LifecycleHandler, _ pod: PodState, _ spec: PodSpec.Container, _ instance: Instance,
                 bound: Duration = .seconds(3600)) async -> String? {
        let subject = "for Container \(goQuoted(spec.name)) in Pod \(goQuoted(podFormat(pod)))"
        switch hook {
        case .exec(let command):
            guard let (error, output) = await execHookError(command, instance, bound: bound) else { return nil }
            return "Exec lifecycle hook (\(goList(command))) \(subject) failed - error: \(error), message: \(goQuoted(output))"
        case .httpGet(let action):
            guard let error = await httpHookError(action, pod, spec, bound: bound) else { return nil }
            return "HTTP lifecycle hook (\(action.path)) \(subject) failed - error: \(error)"
        case .tcpSocket:
            // The API keeps tcpSocket in LifecycleHandler for compatibility only; the kubelet's
            // handler runner has no case for it and fails the hook.
            return "Cannot run handler: invalid handler: tcpSocket is not supported as a lifecycle handler"
        case .sleep(let seconds):
            try? await Task.sleep(for: .seconds(min(seconds, Int64(bound.components.seconds))))
            return nil
        }
    }

    /// An exec hook runs in the container as an exec probe does, but in the container's own pid
    /// namespace, as a CRI exec: hooks signal the app by pid (`nginx -s quit`). On failure, the
    /// error the CRI's ExecSync gives the kubelet, and the command's output.
    private func execHookError(_ command: [String], _ instance: Instance, bound: Duration) async -> (String, String)? {
        guard var process = instance.spec.process else { return ("container is not running", "") }
        process.args = command
        process.terminal = false
        let c = instance.container
        let target = ExecTarget(location: ContainerLocation(pid: c.pid, startTime: c.startTime, cgroup: c.cgroup.paths),
                                process: process, seccomp: instance.spec.linux?.seccomp)
        switch await execInContainer(target, timeout: bound, ownPIDNamespace: false) {
        case .exited(0, _): return nil
        case .exited(let code, let output): return ("command '\(command.joined(separator: " "))' exited with \(code): ", output)
        case .timedOut: return ("command '\(command.joined(separator: " "))' timed out", "")
        case .failedToStart(let why): return (why, "")
        }
    }

    /// An HTTP hook fails only when no response comes (handlers.go `runHTTPHandler`): its status
    /// code is not read. It goes where an httpGet probe would: the pod IP, from inside the pod's
    /// network namespace.
    private func httpHookError(_ action: HTTPGetAction, _ pod: PodState, _ spec: PodSpec.Container,
                               bound: Duration) async -> String? {
        guard let netns = pod.probeNetns else { return "failed to find networking container" }
        guard let port = spec.resolvePort(action.port) else {
            let name = if case .name(let name) = action.port { name } else { "" }
            return "couldn't find port: \(name) in container \(spec.name)"
        }
        var headers = action.httpHeaders.map { HTTPProbeTarget.Header(name: $0.name, value: $0.value) }
        if !headers.contains(where: { $0.name.lowercased() == "user-agent" }) {
            headers.append(.init(name: "User-Agent", value: Self.lifecycleUserAgent))
        }
        let target = HTTPProbeTarget(scheme: action.scheme == .https ? .https : .http, host: action.host ?? pod.podIP ?? "127.0.0.1",
                                     port: port, path: action.path, headers: headers)
        switch await probeIO.http(target, netns: netns, timeout: bound) {
        case .success, .warning: return nil
        // A response with an error status: a probe's failure, a hook's success.
        case .failure(let output) where output.hasPrefix("HTTP probe failed with statuscode:"): return nil
        case .failure(let output): return output
        case .unknown(let error): return error
        }
    }

    /// httpprobe.NewRequestForHTTPGetAction(..., "lifecycle"): kube-lifecycle/<major>.<minor>.
    static var lifecycleUserAgent: String {
        ProbeIO.defaultUserAgent.replacingOccurrences(of: "kube-probe/", with: "kube-lifecycle/")
    }

    /// format.Pod: `name_namespace(uid)`.
    private func podFormat(_ pod: PodState) -> String {
        "\(pod.name)_\(pod.pod.metadata.namespace)(\(pod.record.uid))"
    }

    /// Go's `%v` of a []string: `[sh -c exit 1]`.
    private func goList(_ words: [String]) -> String { "[" + words.joined(separator: " ") + "]" }
}

/// A hook's end, set by the task that runs it and polled by whoever waits for it.
final class HookResult: @unchecked Sendable {
    private let lock = NSLock()
    private var done = false
    private var message: String?
    func set(_ failure: String?) { lock.withLock { done = true; message = failure } }
    var isDone: Bool { lock.withLock { done } }
    /// The failure message; nil on success (or while running).
    var failure: String? { lock.withLock { message } }
}
