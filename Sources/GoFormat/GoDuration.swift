/// Go's `time.Duration.String()` (`%v` of a duration), which the kubelet's probe messages show:
/// `1s`, `1m30s`, `1h0m0s`, `200ms`, `1.5s`, `0s`.
public func goDuration(_ duration: Duration) -> String {
    let (seconds, attoseconds) = duration.components
    let nanos = seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    if nanos == 0 { return "0s" }
    let sign = nanos < 0 ? "-" : ""
    let magnitude = nanos.magnitude
    // Below a second Go picks the largest unit that keeps an integer part: ns, µs or ms.
    if magnitude < 1_000_000_000 {
        if magnitude < 1_000 { return sign + "\(magnitude)ns" }
        if magnitude < 1_000_000 { return sign + fraction(magnitude, unit: 1_000) + "µs" }
        return sign + fraction(magnitude, unit: 1_000_000) + "ms"
    }
    let wholeSeconds = magnitude / 1_000_000_000
    let secondsPart = fraction(magnitude % 60_000_000_000, unit: 1_000_000_000) + "s"
    let minutes = wholeSeconds / 60
    if minutes == 0 { return sign + secondsPart }
    let hours = minutes / 60
    if hours == 0 { return sign + "\(minutes)m" + secondsPart }
    return sign + "\(hours)h\(minutes % 60)m" + secondsPart
}

/// `value / unit` with the remainder as decimals, trailing zeros dropped (Go's fmtFrac).
private func fraction(_ value: UInt64, unit: UInt64) -> String {
    let whole = value / unit
    var remainder = value % unit
    guard remainder != 0 else { return "\(whole)" }
    var digits = ""
    var scale = unit / 10
    while remainder != 0 && scale != 0 {
        digits += "\(remainder / scale)"
        remainder %= scale
        scale /= 10
    }
    return "\(whole).\(digits)"
}
