/// A Kubernetes core/v1 Event as the kubelet records it about a pod or one of its containers.
/// Identical events are folded into one with a count (see `EventRecorder`).
public struct Event: Hashable, Sendable {
    public var involvedObject: ObjectReference
    public var type: EventType
    public var reason: String
    public var message: String
    /// `source.component`: `kubelet` there, `swiftlet` here.
    public var source: String
    public var firstTimestamp: WallTime
    public var lastTimestamp: WallTime
    public var count: Int

    public init(involvedObject: ObjectReference, note: EventNote, source: String, at time: WallTime) {
        self.involvedObject = involvedObject
        self.type = note.type
        self.reason = note.reason
        self.message = note.message
        self.source = source
        self.firstTimestamp = time
        self.lastTimestamp = time
        self.count = 1
    }

    public var note: EventNote { EventNote(type, reason: reason, message: message) }

    /// `metadata.name` as client-go makes it: the object's name, a dot, the first time in hex nanoseconds.
    public var name: String {
        "\(involvedObject.name).\(String(UInt64(bitPattern: firstTimestamp.sinceEpoch.wholeNanoseconds), radix: 16))"
    }
}
