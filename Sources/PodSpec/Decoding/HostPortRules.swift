import GoFormat

/// The pod-wide rules for `hostPort`, applied once every container is decoded.
enum HostPortRules {
    /// The API server's defaulting for a hostNetwork pod (`SetDefaults_Pod`): a port without a
    /// hostPort gets its containerPort, since the container listens on the node anyway.
    static func defaultForHostNetwork(_ containers: inout [Container]) {
        for c in containers.indices {
            for p in containers[c].ports.indices where containers[c].ports[p].hostPort == nil {
                let containerPort = containers[c].ports[p].containerPort
                if containerPort != 0 { containers[c].ports[p].hostPort = containerPort }
            }
        }
    }

    /// `AccumulateUniqueHostPorts`: one node port, protocol and address can be forwarded once.
    static func checkUnique(_ containers: [Container], path: FieldPath, diagnostics: Diagnostics) {
        var seen: Set<String> = []
        for (c, container) in containers.enumerated() {
            for (p, port) in container.ports.enumerated() {
                guard let hostPort = port.hostPort else { continue }
                let key = "\(port.protocol.rawValue)/\(port.hostIP ?? "")/\(hostPort)"
                if !seen.insert(key).inserted {
                    diagnostics.duplicate(path.index(c).child("ports").index(p).child("hostPort"), key)
                }
            }
        }
    }

    /// `validatePodHostNetworkDeps`: in the node's namespace there is nothing to forward, so a
    /// hostPort other than the containerPort cannot be honoured.
    static func checkHostNetwork(_ containers: [Container], path: FieldPath, diagnostics: Diagnostics) {
        for (c, container) in containers.enumerated() {
            for (p, port) in container.ports.enumerated() {
                let hostPort = port.hostPort ?? 0
                if hostPort != port.containerPort {
                    diagnostics.invalid(path.index(c).child("ports").index(p).child("hostPort"), .int(Int64(hostPort)),
                                        "must match `containerPort` when `hostNetwork` is true")
                }
            }
        }
    }
}
