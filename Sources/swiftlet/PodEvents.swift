import Foundation
import Probes
import Supervisor

/// The events of one or more pods as Kubernetes Events: the store keeps them per pod, without
/// the pod's identity, which the record supplies.
enum PodEvents {
    /// `Event`s of a pod, in the order they were recorded.
    static func events(_ stored: [StoredEvent], of record: PodRecord) -> [Probes.Event] {
        let pod = PodReference(name: record.name, namespace: record.namespace, uid: record.uid)
        return stored.map { event(from: $0, pod: pod) }
    }

    static func event(from stored: StoredEvent, pod: PodReference) -> Probes.Event {
        // "spec.containers{kubia}" names a container of the pod; "pod/NAME" the pod itself.
        var object = pod.object
        if stored.object.hasPrefix("spec.") { object.fieldPath = stored.object }
        let note = EventNote(EventType(rawValue: stored.type) ?? .normal, reason: stored.reason, message: stored.message)
        var event = Probes.Event(involvedObject: object, note: note, source: stored.source, at: WallTime(stored.firstTimestamp))
        event.lastTimestamp = WallTime(stored.lastTimestamp)
        event.count = stored.count
        return event
    }

    /// Oldest last-seen first; equal times keep their recorded order.
    static func sorted(_ events: [Probes.Event]) -> [Probes.Event] {
        events.enumerated().sorted { ($0.element.lastTimestamp, $0.offset) < ($1.element.lastTimestamp, $1.offset) }.map(\.element)
    }

    /// Rows of `kubectl get events`: LAST SEEN, TYPE, REASON, OBJECT, MESSAGE.
    static let header = "LAST SEEN\tTYPE\tREASON\tOBJECT\tMESSAGE"

    static func row(_ event: Probes.Event, now: WallTime) -> String {
        let object = event.involvedObject.kind.lowercased() + "/" + event.involvedObject.name
        return [translateTimestampSince(event.lastTimestamp, now: now), event.type.rawValue, event.reason, object,
                event.message.trimmingCharacters(in: .whitespacesAndNewlines)].joined(separator: "\t")
    }

    static func table(_ events: [Probes.Event], now: WallTime, header: Bool = true) -> String {
        KubectlTable.format((header ? [Self.header] : []) + sorted(events).map { row($0, now: now) })
    }

    /// A v1 Event object.
    static func json(_ event: Probes.Event, node: String) -> JSON {
        let object = event.involvedObject
        return .object([
            "apiVersion": .string("v1"),
            "kind": .string("Event"),
            "metadata": .object(["name": .string(event.name), "namespace": .string(object.namespace),
                                 "creationTimestamp": .string(event.firstTimestamp.rfc3339)]),
            "involvedObject": .members(["apiVersion": .string(object.apiVersion), "kind": .string(object.kind),
                                        "name": .string(object.name), "namespace": .string(object.namespace),
                                        "uid": .string(object.uid), "fieldPath": object.fieldPath.map(JSON.string)]),
            "type": .string(event.type.rawValue),
            "reason": .string(event.reason),
            "message": .string(event.message),
            "count": .int(event.count),
            "firstTimestamp": .string(event.firstTimestamp.rfc3339),
            "lastTimestamp": .string(event.lastTimestamp.rfc3339),
            "source": .object(["component": .string(event.source), "host": .string(node)]),
            "reportingComponent": .string(event.source),
            "reportingInstance": .string(node),
        ])
    }

    static func list(_ events: [Probes.Event], node: String) -> JSON {
        .object(["apiVersion": .string("v1"), "kind": .string("List"),
                 "items": .array(sorted(events).map { json($0, node: node) }),
                 "metadata": .object(["resourceVersion": .string("")])])
    }
}
