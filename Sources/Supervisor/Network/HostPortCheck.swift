import PodSpec

/// A host port belongs to one pod at a time (on a node, the scheduler's NodePorts filter keeps a
/// second pod off). swiftlet refuses the second pod before anything of it starts.
enum HostPortCheck {
    /// Throws naming the pod, the field and the pod that holds the port, for the first clash
    /// between a pod of `file` and the pods already in the store or earlier in the file.
    static func check(_ file: [Pod], against existing: [PodRecord]) throws {
        var taken: [(claim: HostPortClaim, pod: String)] = existing.flatMap { r in
            (r.network?.hostPorts ?? []).map { ($0, r.name) }
        }
        for pod in file {
            var mine: [HostPortClaim] = []
            for (ci, c) in pod.spec.containers.enumerated() {
                for (pi, p) in c.ports.enumerated() {
                    guard let port = p.hostPort, port > 0 else { continue }
                    let claim = HostPortClaim(port: port, protocol: p.protocol.rawValue, hostIP: p.hostIP ?? "")
                    if let holder = taken.first(where: { $0.claim.clashes(with: claim) }) {
                        throw SupervisorError("pod \"\(pod.name)\": spec.containers[\(ci)].ports[\(pi)].hostPort: "
                            + "\(claim) is already taken by pod \"\(holder.pod)\" (\(holder.claim))")
                    }
                    mine.append(claim)
                }
            }
            taken += mine.map { ($0, pod.name) }
        }
    }

    /// Without a pod network (`--network none`) nothing maps a host port to a pod: refuse rather
    /// than start a pod whose hostPort silently goes nowhere. hostNetwork pods listen on the host
    /// themselves.
    static func checkReachable(_ file: [Pod]) throws {
        for pod in file where !pod.spec.hostNetwork {
            for (ci, c) in pod.spec.containers.enumerated() {
                for (pi, p) in c.ports.enumerated() where (p.hostPort ?? 0) > 0 {
                    throw SupervisorError("pod \"\(pod.name)\": spec.containers[\(ci)].ports[\(pi)].hostPort: "
                        + "needs a pod network (with --network none pods have loopback only)")
                }
            }
        }
    }
}
