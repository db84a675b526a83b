/// A wall-clock time, as time since the Unix epoch: event timestamps, `startedAt`, `finishedAt`.
public struct WallTime: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var sinceEpoch: Duration

    public init(sinceEpoch: Duration) {
        self.sinceEpoch = sinceEpoch
    }

    public init(secondsSinceEpoch seconds: Int64) {
        self.sinceEpoch = .seconds(seconds)
    }

    public static func < (lhs: WallTime, rhs: WallTime) -> Bool { lhs.sinceEpoch < rhs.sinceEpoch }
    public static func + (lhs: WallTime, rhs: Duration) -> WallTime { WallTime(sinceEpoch: lhs.sinceEpoch + rhs) }
    public static func - (lhs: WallTime, rhs: Duration) -> WallTime { WallTime(sinceEpoch: lhs.sinceEpoch - rhs) }
    public static func - (lhs: WallTime, rhs: WallTime) -> Duration { lhs.sinceEpoch - rhs.sinceEpoch }

    /// RFC 3339 in UTC at whole seconds, as Kubernetes serialises `metav1.Time`
    /// (`2024-05-01T12:00:00Z`). Sub-second parts are dropped, as the API server does.
    public var rfc3339: String {
        let total = sinceEpoch.flooredSeconds
        let days = total >= 0 ? total / 86_400 : (total - 86_399) / 86_400  // floor, for days before 1970
        let secondOfDay = total - days * 86_400
        let (year, month, day) = Self.civil(fromDays: days)
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T"
            + "\(pad(secondOfDay / 3600, 2)):\(pad(secondOfDay / 60 % 60, 2)):\(pad(secondOfDay % 60, 2))Z"
    }

    public var description: String { rfc3339 }

    /// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's civil_from_days).
    static func civil(fromDays z: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = z + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}

private func pad(_ value: Int64, _ width: Int) -> String {
    let digits = String(value)
    return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
}
