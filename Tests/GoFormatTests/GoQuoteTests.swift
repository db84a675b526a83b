import GoFormat
import Testing

@Suite("Go's %q")
struct GoQuoteTests {
    @Test("strconv.Quote", arguments: [
        ("kubia-unhealthy", "\"kubia-unhealthy\""),
        ("images/my \"app\"", "\"images/my \\\"app\\\"\""),
        ("a\\b", "\"a\\\\b\""),
        ("line\nbreak\t", "\"line\\nbreak\\t\""),
        ("\u{07}\u{08}\u{0C}\r\u{0B}", "\"\\a\\b\\f\\r\\v\""),
        ("\u{1}", "\"\\x01\""),
        ("\u{7F}", "\"\\x7f\""),
        ("café ☕", "\"café ☕\""),
        // Not printable for Go: C1 controls, no-break space, soft hyphen, line separator, private use.
        ("\u{85}\u{A0}\u{AD}\u{2028}\u{E000}", "\"\\u0085\\u00a0\\u00ad\\u2028\\ue000\""),
        ("\u{F0000}", "\"\\U000f0000\""),
        ("😀", "\"😀\""),
    ])
    func quoted(text: String, expected: String) {
        #expect(goQuoted(text) == expected)
    }
}
