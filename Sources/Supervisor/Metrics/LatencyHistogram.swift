import Foundation

/// Durations as a log-scale histogram: 20 buckets a decade from 1 µs to 100 s, so a percentile
/// is known to within 12% and memory stays the same however many are added.
struct LatencyHistogram: Sendable {
    private static let bucketsPerDecade = 20.0
    private static let bucketCount = 160
    private var buckets = [Int](repeating: 0, count: bucketCount)
    private(set) var count = 0
    private(set) var longest: Duration = .zero

    mutating func add(_ duration: Duration) {
        let index = Int(log10(max(duration.microseconds, 1)) * Self.bucketsPerDecade)
        buckets[min(max(index, 0), Self.bucketCount - 1)] += 1
        count += 1
        longest = max(longest, duration)
    }

    /// The upper bound of the bucket holding the p-th percentile (0 < p ≤ 1), in milliseconds.
    func percentileMilliseconds(_ p: Double) -> Double? {
        guard count > 0 else { return nil }
        let rank = Int((Double(count) * p).rounded(.up))
        var seen = 0
        for (index, n) in buckets.enumerated() {
            seen += n
            if seen >= rank { return Self.upperBoundMilliseconds(ofBucket: index) }
        }
        return nil
    }

    /// `"count": N, "p50_ms": …, "p99_ms": …, "max_ms": …, "buckets": [[upper_ms, n], …]` (the
    /// inside of a JSON object). Percentiles and max cover everything since the start; the
    /// non-empty buckets let a reader take percentiles of a window (the difference of two reads).
    var jsonFields: String {
        func number(_ v: Double?) -> String { v.map { String(format: "%.3f", $0) } ?? "null" }
        let filled = buckets.indices.filter { buckets[$0] > 0 }
            .map { "[\(number(Self.upperBoundMilliseconds(ofBucket: $0))), \(buckets[$0])]" }
        return "\"count\": \(count), \"p50_ms\": \(number(percentileMilliseconds(0.5))), "
            + "\"p99_ms\": \(number(percentileMilliseconds(0.99))), \"max_ms\": \(number(longest.microseconds / 1000)), "
            + "\"buckets\": [\(filled.joined(separator: ", "))]"
    }

    private static func upperBoundMilliseconds(ofBucket index: Int) -> Double {
        pow(10, Double(index + 1) / bucketsPerDecade) / 1000
    }
}

extension Duration {
    var microseconds: Double { Double(components.seconds) * 1e6 + Double(components.attoseconds) / 1e12 }
}
