/// apimachinery's `duration.HumanDuration`: what kubectl prints in every AGE column and in the
/// Age of `describe`'s Events. About two significant figures: `119s`, `2m`, `2m52s`, `10m`,
/// `179m`, `3h12m`, `47h`, `2d1h`, `8d`, `2y1d`, `8y`. Up to a second in the future reads `0s`
/// (clock skew between machines); further is `<invalid>`.
public func humanDuration(_ duration: Duration) -> String {
    let nanos = duration.wholeNanoseconds
    let seconds = nanos / 1_000_000_000
    if seconds < -1 { return "<invalid>" }
    if seconds < 0 { return "0s" }
    if seconds < 60 * 2 { return "\(seconds)s" }

    let minutes = nanos / 60_000_000_000
    if minutes < 10 {
        let s = seconds % 60
        return s == 0 ? "\(minutes)m" : "\(minutes)m\(s)s"
    }
    if minutes < 60 * 3 { return "\(minutes)m" }

    let hours = nanos / 3_600_000_000_000
    if hours < 8 {
        let m = minutes % 60
        return m == 0 ? "\(hours)h" : "\(hours)h\(m)m"
    }
    if hours < 48 { return "\(hours)h" }
    if hours < 24 * 8 {
        let h = hours % 24
        return h == 0 ? "\(hours / 24)d" : "\(hours / 24)d\(h)h"
    }
    if hours < 24 * 365 * 2 { return "\(hours / 24)d" }
    if hours < 24 * 365 * 8 {
        let days = hours / 24 % 365
        return days == 0 ? "\(hours / 24 / 365)y" : "\(hours / 24 / 365)y\(days)d"
    }
    return "\(hours / 24 / 365)y"
}

/// apimachinery's `duration.ShortHumanDuration`: one unit only (`59s`, `2m`, `3h`, `7d`, `2y`).
/// kubectl uses it in few places (the LAST SEEN of `get events` uses `humanDuration`).
public func shortHumanDuration(_ duration: Duration) -> String {
    let nanos = duration.wholeNanoseconds
    let seconds = nanos / 1_000_000_000
    if seconds < -1 { return "<invalid>" }
    if seconds < 0 { return "0s" }
    if seconds < 60 { return "\(seconds)s" }
    let minutes = nanos / 60_000_000_000
    if minutes < 60 { return "\(minutes)m" }
    let hours = nanos / 3_600_000_000_000
    if hours < 24 { return "\(hours)h" }
    if hours < 24 * 365 { return "\(hours / 24)d" }
    return "\(hours / 24 / 365)y"
}

/// kubectl's `translateTimestampSince`: the AGE of `get pods` and the Age of `describe`.
public func translateTimestampSince(_ timestamp: WallTime?, now: WallTime) -> String {
    guard let timestamp else { return "<unknown>" }
    return humanDuration(now - timestamp)
}
