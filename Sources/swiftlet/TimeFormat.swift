import Foundation
import Probes

extension WallTime {
    init(_ date: Date) {
        self.init(sinceEpoch: .seconds(date.timeIntervalSince1970))
    }

    static var now: WallTime { WallTime(Date()) }
}

enum TimeFormat {
    /// `metav1.Time` as JSON: RFC 3339 at whole seconds, UTC.
    static func rfc3339(_ date: Date) -> String { WallTime(date).rfc3339 }

    /// Go's time.RFC1123Z, which `kubectl describe` prints for Start Time, Started and Finished:
    /// `Mon, 02 Jan 2006 15:04:05 -0700`, in the local time zone as kubectl does.
    static func rfc1123Z(_ date: Date, timeZone: TimeZone = .current) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = timeZone
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss Z"
        return formatter.string(from: date)
    }

    /// kubectl's `translateTimestampSince` for a Date.
    static func since(_ date: Date?, now: WallTime) -> String {
        translateTimestampSince(date.map(WallTime.init), now: now)
    }
}
