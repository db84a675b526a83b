/// Keeps a supervisor's events and folds repeats, as client-go's event correlator does for the
/// kubelet: an event identical to an earlier one (same object including the field path, source,
/// type, reason and message) bumps that one's count and last timestamp instead of adding a row.
///
/// Not reproduced: the correlator's aggregation of 10+ events that differ only by message, and its
/// per-object spam filter (25 events, then one per 5 minutes).
public struct EventRecorder: Sendable {
    public let source: String
    /// In order of first occurrence.
    public private(set) var events: [Event] = []
    private var positions: [Identity: Int] = [:]

    private struct Identity: Hashable, Sendable {
        var object: ObjectReference
        var source: String
        var note: EventNote
    }

    public init(source: String = "swiftlet") {
        self.source = source
    }

    /// Records `note` about `object` at `time` and returns the stored event, new or folded, for
    /// whoever streams events (`get events -w`).
    @discardableResult
    public mutating func record(_ note: EventNote, about object: ObjectReference, at time: WallTime) -> Event {
        let identity = Identity(object: object, source: source, note: note)
        if let position = positions[identity] {
            events[position].count += 1
            events[position].lastTimestamp = max(events[position].lastTimestamp, time)
            return events[position]
        }
        let event = Event(involvedObject: object, note: note, source: source, at: time)
        positions[identity] = events.count
        events.append(event)
        return event
    }

    /// Events about a pod and its containers.
    public func events(aboutPod uid: String) -> [Event] {
        events.filter { $0.involvedObject.uid == uid }
    }

    /// Drops a deleted pod's events.
    public mutating func removeEvents(aboutPod uid: String) {
        keep { $0.involvedObject.uid != uid }
    }

    /// Drops events last seen before `cutoff`: the API server keeps events an hour by default.
    public mutating func removeEvents(lastSeenBefore cutoff: WallTime) {
        keep { $0.lastTimestamp >= cutoff }
    }

    private mutating func keep(where isKept: (Event) -> Bool) {
        events = events.filter(isKept)
        positions = [:]
        for (position, event) in events.enumerated() {
            positions[Identity(object: event.involvedObject, source: event.source, note: event.note)] = position
        }
    }
}
