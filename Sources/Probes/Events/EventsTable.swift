/// The Events section of `kubectl describe` (kubectl's `DescribeEvents`).
///
///     Events:
///       Type     Reason     Age                From      Message
///       ----     ------     ----               ----      -------
///       Warning  Unhealthy  42s (x6 over 2m52s)  swiftlet  Liveness probe failed: HTTP probe failed with statuscode: 500
public enum EventsTable {
    /// The section as kubectl hands it to its tab writer (cells end in tabs, two-space indent), for
    /// a `describe` that formats all its sections through one writer.
    public static func lines(_ events: [Event], now: WallTime) -> [String] {
        guard !events.isEmpty else { return ["Events:\t<none>"] }
        // Oldest last-seen first; the sort is stable so equal times keep their recording order.
        let sorted = events.enumerated().sorted {
            ($0.element.lastTimestamp, $0.offset) < ($1.element.lastTimestamp, $1.offset)
        }.map(\.element)
        return ["Events:", "  Type\tReason\tAge\tFrom\tMessage", "  ----\t------\t----\t----\t-------"]
            + sorted.map { event in
                "  \(event.type.rawValue)\t\(event.reason)\t\(age(of: event, now: now))\t\(event.source)\t"
                    + trimmingSpace(event.message)
            }
    }

    /// The section on its own, aligned.
    public static func render(_ events: [Event], now: WallTime) -> String {
        TabWriter().format(lines(events, now: now).joined(separator: "\n") + "\n")
    }

    /// `42s` for an event seen once; `42s (x6 over 2m52s)` for one seen six times, the last 42 s
    /// ago and the first 2m52s ago.
    public static func age(of event: Event, now: WallTime) -> String {
        let first = translateTimestampSince(event.firstTimestamp, now: now)
        guard event.count > 1 else { return first }
        return "\(translateTimestampSince(event.lastTimestamp, now: now)) (x\(event.count) over \(first))"
    }

    /// Go's strings.TrimSpace, which kubectl applies to messages.
    private static func trimmingSpace(_ text: String) -> String {
        let scalars = text.unicodeScalars
        guard let start = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
              let end = scalars.lastIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        return String(scalars[start...end])
    }
}
