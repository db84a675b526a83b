extension PodController {
    /// After a start that failed with CreateContainerConfigError (e.g. runAsNonRoot and an image
    /// that runs as root): waits the initial back-off and returns true so the loop tries the start
    /// again, the way the kubelet retries on its next sync: the container stays Waiting, nothing
    /// ran, so no restart is counted. False for any other failure.
    func retryAfterConfigError(_ pod: PodState, _ name: String) async -> Bool {
        guard let record = pod.record.containers.first(where: { $0.name == name }),
              case .waiting(let reason, _) = record.state, reason == "CreateContainerConfigError" else { return false }
        try? await Task.sleep(for: options.backoffInitial)
        return true
    }
}
