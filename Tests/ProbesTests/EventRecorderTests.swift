import Probes
import Testing

@Suite("Event folding")
struct EventRecorderTests {
    static let pod = PodReference(name: "kubia-liveness", uid: "a1b2")
    static let start = WallTime(secondsSinceEpoch: 1_700_000_000)
    static let unhealthy = EventMessages.probe(.liveness, result: .failure(output: "HTTP probe failed with statuscode: 500"))
        ?? EventNote(.warning, reason: "", message: "")

    @Test("identical events fold into one, with a count and first and last timestamps")
    func folds() {
        var recorder = EventRecorder()
        for second in [0, 10, 20, 30, 40, 50] {
            recorder.record(Self.unhealthy, about: Self.pod.container("kubia"), at: Self.start + .seconds(second))
        }
        #expect(recorder.events.count == 1)
        let event = recorder.events[0]
        #expect(event.count == 6)
        #expect(event.firstTimestamp == Self.start)
        #expect(event.lastTimestamp == Self.start + .seconds(50))
        #expect(event.source == "swiftlet")
    }

    @Test("events differing in object, field path, type, reason or message stay apart")
    func keepsApart() {
        var recorder = EventRecorder()
        let container = Self.pod.container("kubia")
        let notes = [
            Self.unhealthy,
            EventNote(.normal, reason: Self.unhealthy.reason, message: Self.unhealthy.message),
            EventNote(.warning, reason: "BackOff", message: Self.unhealthy.message),
            EventNote(.warning, reason: Self.unhealthy.reason, message: "Liveness probe failed: timeout"),
        ]
        for note in notes { recorder.record(note, about: container, at: Self.start) }
        recorder.record(Self.unhealthy, about: Self.pod.container("sidecar"), at: Self.start)
        recorder.record(Self.unhealthy, about: Self.pod.object, at: Self.start)
        recorder.record(Self.unhealthy, about: PodReference(name: "other", uid: "c3d4").container("kubia"), at: Self.start)
        #expect(recorder.events.count == 7)
        #expect(recorder.events.allSatisfy { $0.count == 1 })
    }

    @Test("record returns the stored event, new or folded, for whoever streams them")
    func returnsStored() {
        var recorder = EventRecorder()
        let first = recorder.record(EventMessages.started(container: "kubia"), about: Self.pod.container("kubia"), at: Self.start)
        let second = recorder.record(EventMessages.started(container: "kubia"), about: Self.pod.container("kubia"), at: Self.start + .seconds(5))
        #expect(first.count == 1)
        #expect(second.count == 2)
        #expect(second.lastTimestamp == Self.start + .seconds(5))
        #expect(first.name == "kubia-liveness.17979cfe362a0000")
    }

    @Test("events are dropped with their pod, or once older than the retention")
    func removal() {
        var recorder = EventRecorder()
        recorder.record(EventMessages.started(container: "kubia"), about: Self.pod.container("kubia"), at: Self.start)
        recorder.record(EventMessages.started(container: "web"), about: PodReference(name: "web", uid: "e5").container("web"),
                        at: Self.start + .seconds(3600))
        recorder.record(EventMessages.created(container: "kubia"), about: Self.pod.container("kubia"), at: Self.start + .seconds(3601))
        #expect(recorder.events(aboutPod: "a1b2").count == 2)
        recorder.removeEvents(lastSeenBefore: Self.start + .seconds(1800))
        #expect(recorder.events.map(\.reason) == ["Started", "Created"])
        recorder.removeEvents(aboutPod: "a1b2")
        #expect(recorder.events.map(\.involvedObject.name) == ["web"])
        // Folding still finds what remained.
        recorder.record(EventMessages.started(container: "web"), about: PodReference(name: "web", uid: "e5").container("web"),
                        at: Self.start + .seconds(3700))
        #expect(recorder.events.map(\.count) == [2])
    }
}
