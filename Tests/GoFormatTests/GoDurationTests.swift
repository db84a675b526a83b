import GoFormat
import Testing

@Suite("Go's Duration.String")
struct GoDurationTests {
    /// Values checked against Go's time package (`fmt.Sprint(d)`).
    @Test("time.Duration.String", arguments: [
        (Duration.seconds(1), "1s"),
        (.seconds(5), "5s"),
        (.seconds(59), "59s"),
        (.seconds(60), "1m0s"),
        (.seconds(90), "1m30s"),
        (.seconds(3600), "1h0m0s"),
        (.seconds(3661), "1h1m1s"),
        (.milliseconds(1500), "1.5s"),
        (.milliseconds(200), "200ms"),
        (.microseconds(1500), "1.5ms"),
        (.nanoseconds(1500), "1.5µs"),
        (.nanoseconds(7), "7ns"),
        (.zero, "0s"),
        (.seconds(-2), "-2s"),
    ])
    func formats(_ duration: Duration, _ expected: String) {
        #expect(goDuration(duration) == expected)
    }
}
