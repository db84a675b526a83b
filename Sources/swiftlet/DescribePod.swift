import Foundation
import PodSpec
import Probes
import Supervisor

/// `kubectl describe pod` (kubectl's `describePod`): the lines carry tabs between label and
/// value and go through one tab writer with padding 2, as kubectl's `tabbedString` does.
enum DescribePod {
    static func render(_ view: PodView, events: [Probes.Event], now: WallTime, timeZone: TimeZone = .current) -> String {
        TabWriter().format(lines(view, events: events, now: now, timeZone: timeZone).joined(separator: "\n") + "\n")
    }

    static func lines(_ view: PodView, events: [Probes.Event], now: WallTime, timeZone: TimeZone) -> [String] {
        let r = view.record
        let time = { (date: Date) in TimeFormat.rfc1123Z(date, timeZone: timeZone) }
        // kubectl: "Node: <name>/<host IP>" once the pod has a host IP.
        let node = r.network?.hostIPs.first.map { "\(view.node)/\($0)" } ?? view.node
        var out = ["Name:\t\(r.name)", "Namespace:\t\(r.namespace)", "Priority:\t0", "Node:\t\(node)"]
        if let start = r.startTime { out.append("Start Time:\t\(time(start))") }
        out += labels(r.labels)
        out += annotations(r.annotations)
        if let deletion = view.deletion, !view.supervisorLost, r.phase != "Failed", r.phase != "Succeeded" {
            out.append("Status:\tTerminating (lasts \(humanDuration(WallTime(deletion.deadline) - now)))")
            out.append("Termination Grace Period:\t\(deletion.graceSeconds)s")
        } else {
            out.append("Status:\t\(r.phase)")
        }
        if let reason = r.reason, !reason.isEmpty { out.append("Reason:\t\(reason)") }
        if let message = r.message, !message.isEmpty { out.append("Message:\t\(message)") }
        let ips = r.network?.podIPs ?? []
        out.append("IP:\t\(ips.first ?? "")")
        out += ips.isEmpty ? ["IPs:\t<none>"] : ["IPs:"] + ips.map { "  IP:\t\($0)" }
        out += initContainers(view, time: time)
        out += containers(view, time: time)
        if !r.conditions.isEmpty {
            out += ["Conditions:", "  Type\tStatus"] + r.conditions.map { "  \($0.type) \t\($0.status) " }
        }
        if let pod = view.pod {
            out += volumes(pod.spec.volumes)
            out.append("QoS Class:\t\(QOSClass.of(pod).rawValue)")
        }
        out += ["Node-Selectors:\t<none>", "Tolerations:\t<none>"]
        return out + EventsTable.lines(events, now: now)
    }

    // MARK: Containers

    static func containers(_ view: PodView, time: (Date) -> String) -> [String] {
        let statuses = Dictionary(view.record.containers.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        guard let specs = view.pod?.spec.containers else {
            // The manifest did not decode: what the record knows.
            return ["Containers:"] + view.record.containers.flatMap { c in
                ["  \(c.name):", "    Image:\t\(c.image)"] + state(of: c, time: time)
            }
        }
        var out = ["Containers:" + (specs.isEmpty ? " <none>" : "")]
        for spec in specs { out += container(spec, status: statuses[spec.name], time: time) }
        return out
    }

    /// One container of `Init Containers:` or `Containers:` (kubectl's `describeContainers`).
    static func container(_ spec: Container, status: ContainerRecord?, time: (Date) -> String) -> [String] {
        var out = ["  \(spec.name):", "    Image:\t\(spec.image.written)"]
        do {
            let ports = spec.ports.map { "\($0.containerPort)/\($0.protocol.rawValue)" }
            let hostPorts = spec.ports.map { "\($0.hostPort ?? 0)/\($0.protocol.rawValue)" }
            out.append(ports.count > 1 ? "    Ports:\t\(ports.joined(separator: ", "))" : "    Port:\t\(ports.first ?? "<none>")")
            out.append(hostPorts.count > 1 ? "    Host Ports:\t\(hostPorts.joined(separator: ", "))"
                                           : "    Host Port:\t\(hostPorts.first ?? "<none>")")
            out += command("Command", spec.command) + command("Args", spec.args)
            if let status { out += state(of: status, time: time) }
            out += resources(spec.resources)
            for (label, probe) in [("Liveness", spec.livenessProbe), ("Readiness", spec.readinessProbe),
                                   ("Startup", spec.startupProbe)] {
                if let probe { out.append("    \(label):\t\(ProbeDescription.describe(probe))") }
            }
            out.append("    Environment:" + (spec.env.isEmpty ? "\t<none>" : ""))
            for variable in spec.env {
                for (index, line) in variable.value.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                    out.append(index == 0 ? "      \(variable.name):\t\(line)" : "      \t\(line)")
                }
            }
            out.append("    Mounts:" + (spec.volumeMounts.isEmpty ? "\t<none>" : ""))
            for mount in spec.volumeMounts.sorted(by: { $0.mountPath < $1.mountPath }) {
                let path = mount.subPath.isEmpty ? "" : ",path=\"\(mount.subPath)\""
                out.append("      \(mount.mountPath) from \(mount.name) (\(mount.readOnly ? "ro" : "rw")\(path))")
            }
        }
        return out
    }

    static func command(_ label: String, _ words: [String]) -> [String] {
        guard !words.isEmpty else { return [] }
        return ["    \(label):"] + words.flatMap { $0.split(separator: "\n", omittingEmptySubsequences: false).map { "      \($0)" } }
    }

    static func state(of c: ContainerRecord, time: (Date) -> String) -> [String] {
        var out = describe("State", c.state, time: time)
        if let last = c.lastState, case .terminated = last { out += describe("Last State", last, time: time) }
        out.append("    Ready:\t\(c.ready ? "True" : "False")")
        out.append("    Restart Count:\t\(c.restartCount)")
        return out
    }

    static func describe(_ label: String, _ state: ContainerRecord.ContainerState, time: (Date) -> String) -> [String] {
        switch state {
        case .running(let startedAt):
            return ["    \(label):\tRunning", "      Started:\t\(time(startedAt))"]
        case .waiting(let reason, _):
            return ["    \(label):\tWaiting"] + (reason.isEmpty ? [] : ["      Reason:\t\(reason)"])
        case .terminated(let t):
            var out = ["    \(label):\tTerminated"]
            if !t.reason.isEmpty { out.append("      Reason:\t\(t.reason)") }
            if let message = t.message, !message.isEmpty { out.append("      Message:\t\(message)") }
            out.append("      Exit Code:\t\(t.exitCode)")
            if let signal = t.signal, signal > 0 { out.append("      Signal:\t\(signal)") }
            // kubectl prints Go's zero time when a start is unknown.
            out.append("      Started:\t\(t.startedAt.map(time) ?? "Mon, 01 Jan 0001 00:00:00 +0000")")
            out.append("      Finished:\t\(time(t.finishedAt))")
            return out
        }
    }

    static func resources(_ r: ResourceRequirements) -> [String] {
        func list(_ label: String, _ l: ResourceList) -> [String] {
            let entries = [("cpu", l.cpu), ("memory", l.memory)].compactMap { name, q in q.map { "      \(name):\t\($0)" } }
            return entries.isEmpty ? [] : ["    \(label):"] + entries
        }
        // Requests left out are their limits, as the API server defaults them.
        let requests = ResourceList(cpu: r.requests.cpu ?? r.limits.cpu, memory: r.requests.memory ?? r.limits.memory)
        return list("Limits", r.limits) + list("Requests", requests)
    }

    // MARK: Pod-level sections

    static func labels(_ labels: [String: String]) -> [String] {
        let keys = labels.keys.sorted()
        guard !keys.isEmpty else { return ["Labels:\t<none>"] }
        return keys.enumerated().map { index, key in (index == 0 ? "Labels:\t" : "\t") + "\(key)=\(labels[key] ?? "")" }
    }

    /// Long or multi-line values go below their key, each line cut at 140 characters, as kubectl does.
    static func annotations(_ annotations: [String: String]) -> [String] {
        let maxLength = 140
        let keys = annotations.keys.filter { $0 != "kubectl.kubernetes.io/last-applied-configuration" }.sorted()
        guard !keys.isEmpty else { return ["Annotations:\t<none>"] }
        var out: [String] = []
        for (index, key) in keys.enumerated() {
            let prefix = index == 0 ? "Annotations:\t" : "\t"
            var value = annotations[key] ?? ""
            if value.hasSuffix("\n") { value.removeLast() }
            if value.count + key.count + 2 > maxLength || value.contains("\n") {
                out.append(prefix + key + ":")
                for line in value.split(separator: "\n", omittingEmptySubsequences: false) {
                    let shortened = line.count > maxLength - 2 ? String(line.prefix(maxLength - 2)) + "..." : String(line)
                    out.append("\t  " + shortened)
                }
            } else {
                out.append(prefix + "\(key): \(value)")
            }
        }
        return out
    }

    static func volumes(_ volumes: [Volume]) -> [String] {
        guard !volumes.isEmpty else { return ["Volumes:\t<none>"] }
        var out = ["Volumes:"]
        for volume in volumes {
            out.append("  \(volume.name):")
            switch volume.source {
            case .emptyDir(let source):
                out += ["    Type:\tEmptyDir (a temporary directory that shares a pod's lifetime)",
                        "    Medium:\t\(source.medium.rawValue)",
                        "    SizeLimit:\t\(source.sizeLimit.flatMap { $0.isZero ? nil : $0.description } ?? "<unset>")"]
            case .hostPath(let source):
                out += ["    Type:\tHostPath (bare host directory volume)",
                        "    Path:\t\(source.path)",
                        "    HostPathType:\t\(source.type.rawValue)"]
            case .configMap, .secret, .downwardAPI, .projected:
                out += ConfigVolumeJSON.describe(volume.source)
            }
        }
        return out
    }
}
