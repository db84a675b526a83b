import Probes
import Testing

@Suite("describe's Events table")
struct EventsTableTests {
    static let now = WallTime(secondsSinceEpoch: 1_700_000_000)
    static let kubia = PodReference(name: "kubia-liveness", uid: "a1b2").container("kubia")

    func event(_ note: EventNote, first: Int64, last: Int64? = nil, count: Int = 1) -> Event {
        var event = Event(involvedObject: Self.kubia, note: note, source: "swiftlet", at: Self.now - .seconds(first))
        event.lastTimestamp = Self.now - .seconds(last ?? first)
        event.count = count
        return event
    }

    @Test("Age of an event seen once, and of one seen many times", arguments: [
        (Int64(42), Int64?.none, 1, "42s"),
        (172, 42, 6, "42s (x6 over 2m52s)"),
        (150, 30, 2, "30s (x2 over 2m30s)"),
        (11_520, 300, 40, "5m (x40 over 3h12m)"),
    ])
    func age(first: Int64, last: Int64?, count: Int, expected: String) {
        let folded = event(EventMessages.started(container: "kubia"), first: first, last: last, count: count)
        #expect(EventsTable.age(of: folded, now: Self.now) == expected)
    }

    @Test("the table, aligned as kubectl's tab writer aligns it, oldest last-seen first")
    func table() {
        let unhealthy = EventMessages.probe(.liveness, result: .failure(output: "HTTP probe failed with statuscode: 500"))
            ?? EventNote(.warning, reason: "", message: "")
        let events = [
            event(EventMessages.killing(container: "kubia", reason: .livenessProbe, willRestart: true), first: 150, last: 30, count: 2),
            event(EventMessages.pulled(image: "kubia-unhealthy"), first: 180),
            event(EventMessages.created(container: "kubia"), first: 180),
            event(EventMessages.started(container: "kubia"), first: 180),
            event(unhealthy, first: 172, last: 42, count: 6),
        ]
        let expected = """
            Events:
              Type     Reason     Age                  From      Message
              ----     ------     ----                 ----      -------
              Normal   Pulled     3m                   swiftlet  Container image "kubia-unhealthy" already present on machine
              Normal   Created    3m                   swiftlet  Created container kubia
              Normal   Started    3m                   swiftlet  Started container kubia
              Warning  Unhealthy  42s (x6 over 2m52s)  swiftlet  Liveness probe failed: HTTP probe failed with statuscode: 500
              Normal   Killing    30s (x2 over 2m30s)  swiftlet  Container kubia failed liveness probe, will be restarted

            """
        #expect(EventsTable.render(events, now: Self.now) == expected)
    }

    @Test("no events: Events: <none>")
    func none() {
        #expect(EventsTable.render([], now: Self.now) == "Events:  <none>\n")
        #expect(EventsTable.lines([], now: Self.now) == ["Events:\t<none>"])
    }

    @Test("messages are trimmed, as kubectl trims them")
    func trimmed() {
        let lines = EventsTable.lines([event(EventMessages.failed(error: "boom\n"), first: 5)], now: Self.now)
        #expect(lines.last == "  Warning\tFailed\t5s\tswiftlet\tError: boom")
    }
}
