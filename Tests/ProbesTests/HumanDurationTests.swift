import Probes
import Testing

@Suite("Ages as kubectl prints them")
struct HumanDurationTests {
    static let minute: Int64 = 60, hour: Int64 = 3600, day: Int64 = 86_400, year: Int64 = 365 * 86_400

    static let humanTable: [(Int64, String)] = [
        (-3, "<invalid>"),
        (-2, "<invalid>"),
        (-1, "0s"),
        (0, "0s"),
        (1, "1s"),
        (42, "42s"),
        (59, "59s"),
        (60, "60s"),
        (119, "119s"),
        (120, "2m"),
        (121, "2m1s"),
        (172, "2m52s"),
        (300, "5m"),
        (599, "9m59s"),
        (600, "10m"),
        (601, "10m"),
        (179 * minute + 59, "179m"),
        (3 * hour, "3h"),
        (3 * hour + 12 * minute, "3h12m"),
        (3 * hour + 12 * minute + 59, "3h12m"),
        (8 * hour - 1, "7h59m"),
        (8 * hour, "8h"),
        (47 * hour, "47h"),
        (47 * hour + 59 * minute, "47h"),
        (48 * hour, "2d"),
        (49 * hour, "2d1h"),
        (8 * day - 1, "7d23h"),
        (8 * day, "8d"),
        (729 * day, "729d"),
        (2 * year, "2y"),
        (2 * year + day, "2y1d"),
        (8 * year - day, "7y364d"),
        (8 * year, "8y"),
        (10 * year + 100 * day, "10y"),
    ]

    @Test("HumanDuration", arguments: humanTable)
    func human(seconds: Int64, expected: String) {
        #expect(humanDuration(.seconds(seconds)) == expected)
    }

    @Test("fractions of a second round toward zero, as Go's int(d.Seconds())", arguments: [
        (Int64(-1_999), "0s"),
        (-2_000, "<invalid>"),
        (999, "0s"),
        (119_999, "119s"),
        (120_000, "2m"),
    ] as [(Int64, String)])
    func fractions(milliseconds: Int64, expected: String) {
        #expect(humanDuration(.milliseconds(milliseconds)) == expected)
    }

    @Test("ShortHumanDuration", arguments: [
        (Int64(-2), "<invalid>"),
        (-1, "0s"),
        (59, "59s"),
        (60, "1m"),
        (3599, "59m"),
        (3600, "1h"),
        (86_399, "23h"),
        (86_400, "1d"),
        (364 * 86_400, "364d"),
        (365 * 86_400, "1y"),
        (3 * 365 * 86_400, "3y"),
    ] as [(Int64, String)])
    func short(seconds: Int64, expected: String) {
        #expect(shortHumanDuration(.seconds(seconds)) == expected)
    }

    @Test("get pods AGE: translateTimestampSince")
    func age() {
        let now = WallTime(secondsSinceEpoch: 1_700_000_000)
        #expect(translateTimestampSince(now - .seconds(192 * 60), now: now) == "3h12m")
        #expect(translateTimestampSince(nil, now: now) == "<unknown>")
        #expect(translateTimestampSince(now + .seconds(1), now: now) == "0s")
    }
}
