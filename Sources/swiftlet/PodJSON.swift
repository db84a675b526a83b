import Foundation
import Supervisor

/// `-o json`: Kubernetes v1 Pod objects, field names and shapes as the API server returns them,
/// so jq filters written against kubectl (`.status.containerStatuses[0].restartCount`) work.
enum PodJSON {
    static func document(_ pods: [PodView], single: Bool) -> JSON {
        if single, let pod = pods.first { return object(pod) }
        return .object(["apiVersion": .string("v1"), "kind": .string("List"), "items": .array(pods.map(object)),
                        "metadata": .object(["resourceVersion": .string("")])])
    }

    static func object(_ view: PodView) -> JSON {
        .object([
            "apiVersion": .string("v1"),
            "kind": .string("Pod"),
            "metadata": metadata(view),
            "spec": view.pod.map { SpecJSON.spec($0, node: view.node) } ?? SpecJSON.fallback(view.record, node: view.node),
            "status": status(view),
        ])
    }

    static func metadata(_ view: PodView) -> JSON {
        let r = view.record
        return .members([
            "name": .string(r.name),
            "namespace": .string(r.namespace),
            "uid": .string(r.uid),
            "creationTimestamp": .string(TimeFormat.rfc3339(r.creationTimestamp)),
            "labels": r.labels.isEmpty ? nil : .object(r.labels.mapValues(JSON.string)),
            "annotations": r.annotations.isEmpty ? nil : .object(r.annotations.mapValues(JSON.string)),
            "deletionTimestamp": view.deletion.map { .string(TimeFormat.rfc3339($0.deadline)) },
            "deletionGracePeriodSeconds": view.deletion.map { .int($0.graceSeconds) },
        ])
    }

    static func status(_ view: PodView) -> JSON {
        let r = view.record
        return .members([
            "phase": .string(r.phase),
            "reason": r.reason.map(JSON.string),
            "message": r.message.map(JSON.string),
            "hostIP": r.network?.hostIPs.first.map(JSON.string),
            "hostIPs": r.network.flatMap { $0.hostIPs.isEmpty ? nil : .array($0.hostIPs.map { .object(["ip": .string($0)]) }) },
            "podIP": r.network?.podIPs.first.map(JSON.string),
            "podIPs": r.network.flatMap { $0.podIPs.isEmpty ? nil : .array($0.podIPs.map { .object(["ip": .string($0)]) }) },
            "startTime": r.startTime.map { .string(TimeFormat.rfc3339($0)) },
            "qosClass": view.pod.map { .string(QOSClass.of($0).rawValue) },
            "conditions": r.conditions.isEmpty ? nil : .array(r.conditions.map { c in
                .object(["type": .string(c.type), "status": .string(c.status), "lastProbeTime": .null,
                         "lastTransitionTime": .string(TimeFormat.rfc3339(c.lastTransitionTime))])
            }),
            "initContainerStatuses": r.initContainers.flatMap { $0.isEmpty ? nil : .array($0.map(containerStatus)) },
            "containerStatuses": r.containers.isEmpty ? nil : .array(r.containers.map(containerStatus)),
        ])
    }

    static func containerStatus(_ c: ContainerRecord) -> JSON {
        .object([
            "name": .string(c.name),
            "image": .string(c.image),
            "ready": .bool(c.ready),
            "started": .bool(c.started),
            "restartCount": .int(c.restartCount),
            "state": state(c.state),
            "lastState": c.lastState.map(state) ?? .object([:]),
        ])
    }

    static func state(_ state: ContainerRecord.ContainerState) -> JSON {
        switch state {
        case .waiting(let reason, let message):
            return .object(["waiting": .members(["reason": .string(reason), "message": message.map(JSON.string)])])
        case .running(let startedAt):
            return .object(["running": .object(["startedAt": .string(TimeFormat.rfc3339(startedAt))])])
        case .terminated(let t):
            return .object(["terminated": .members([
                "exitCode": .int(Int(t.exitCode)),
                "signal": t.signal.flatMap { $0 == 0 ? nil : .int(Int($0)) },
                "reason": t.reason.isEmpty ? nil : .string(t.reason),
                "message": t.message.map(JSON.string),
                "startedAt": t.startedAt.map { .string(TimeFormat.rfc3339($0)) } ?? .null,
                "finishedAt": .string(TimeFormat.rfc3339(t.finishedAt)),
            ])])
        }
    }
}
