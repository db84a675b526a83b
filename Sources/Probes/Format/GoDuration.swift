/// Go's `time.Duration.String()`, which the kubelet's messages print: `10s`, `1m20s`, `5m0s`,
/// `1h0m0s`, `1.5s`, `500ms`, `0s`. Swift's own `Duration` description reads differently.
public func goDuration(_ duration: Duration) -> String {
    let nanos = duration.wholeNanoseconds
    let sign = nanos < 0 ? "-" : ""
    let magnitude = nanos.magnitude
    if magnitude == 0 { return "0s" }
    if magnitude < 1_000 { return sign + "\(magnitude)ns" }
    if magnitude < 1_000_000 { return sign + decimal(magnitude, places: 3) + "µs" }
    if magnitude < 1_000_000_000 { return sign + decimal(magnitude, places: 6) + "ms" }

    let totalSeconds = magnitude / 1_000_000_000
    let seconds = decimal(magnitude % 60_000_000_000, places: 9) + "s"
    let minutes = totalSeconds / 60
    if minutes == 0 { return sign + seconds }
    let hours = minutes / 60
    if hours == 0 { return sign + "\(minutes)m" + seconds }
    return sign + "\(hours)h\(minutes % 60)m" + seconds
}

/// `value / 10^places` with the fraction's trailing zeros (and a bare point) left out.
private func decimal(_ value: UInt64, places: Int) -> String {
    var scale: UInt64 = 1
    for _ in 0..<places { scale *= 10 }
    var fraction = String(value % scale)
    fraction = String(repeating: "0", count: places - fraction.count) + fraction
    while fraction.last == "0" { fraction.removeLast() }
    return "\(value / scale)" + (fraction.isEmpty ? "" : "." + fraction)
}
