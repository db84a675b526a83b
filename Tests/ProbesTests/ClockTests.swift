import Probes
import Testing

@Suite("Clocks and times")
struct ClockTests {
    @Test("a manual clock moves only when told, monotonic and wall time together")
    func manual() {
        let clock = ManualClock()
        let (start, wallStart) = (clock.now, clock.wallNow)
        #expect(clock.now == start)
        clock.advance(by: .seconds(90))
        #expect(clock.now - start == .seconds(90))
        #expect(clock.wallNow - wallStart == .seconds(90))
    }

    @Test("the system clock's monotonic time never goes back")
    func system() {
        let clock = SystemClock()
        let first = clock.now
        #expect(clock.now >= first)
        #expect(clock.wallNow > WallTime(secondsSinceEpoch: 1_600_000_000))
    }

    @Test("wall times print as RFC 3339 in UTC, at whole seconds", arguments: [
        (Int64(0), "1970-01-01T00:00:00Z"),
        (1_700_000_000, "2023-11-14T22:13:20Z"),
        (951_782_400, "2000-02-29T00:00:00Z"),
        (-1, "1969-12-31T23:59:59Z"),
        (253_402_300_799, "9999-12-31T23:59:59Z"),
    ])
    func rfc3339(seconds: Int64, expected: String) {
        #expect(WallTime(secondsSinceEpoch: seconds).rfc3339 == expected)
        #expect((WallTime(secondsSinceEpoch: seconds) + .milliseconds(999)).rfc3339 == expected)
    }
}
