import Probes
import Testing

@Suite("Go formats")
struct FormatTests {
    @Test("time.Duration.String", arguments: [
        (Duration.zero, "0s"),
        (.nanoseconds(1), "1ns"),
        (.nanoseconds(1_500), "1.5µs"),
        (.milliseconds(500), "500ms"),
        (.milliseconds(1_500), "1.5s"),
        (.seconds(1), "1s"),
        (.seconds(10), "10s"),
        (.seconds(40), "40s"),
        (.seconds(80), "1m20s"),
        (.seconds(160), "2m40s"),
        (.seconds(300), "5m0s"),
        (.seconds(3600), "1h0m0s"),
        (.milliseconds(3_661_500), "1h1m1.5s"),
        (.seconds(-40), "-40s"),
    ])
    func goDurationString(duration: Duration, expected: String) {
        #expect(goDuration(duration) == expected)
    }

    @Test("tab writer: columns sized per block; a line without tabs splits blocks; the last cell is never padded")
    func tabWriter() {
        let input = "Name:\tkubia\nNamespace:\tdefault\nEvents:\n  Type\tReason\n  Normal\tPulled\n"
        let expected = "Name:       kubia\nNamespace:  default\nEvents:\n  Type    Reason\n  Normal  Pulled\n"
        #expect(TabWriter().format(input) == expected)
    }

    @Test("tab writer: blocks nest (b and yy are sized apart), multibyte cells counted by character")
    func tabWriterNested() {
        let input = "a\tb\tc\nlonger\tx\nµµ\tyy\tz"
        let expected = "a       b  c\nlonger  x\nµµ      yy  z"
        #expect(TabWriter().format(input) == expected)
    }
}
