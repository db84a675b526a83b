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
            if seen >= rank { return pow(10, Double(index + 1) / Self.bucketsPerDecade) / 1000 }
        }
        return nil
    }

    /// `"count": N, "p50_ms": …, "p99_ms": …, "max_ms": …` (the inside of a JSON object).
    var jsonFields: String {
        func number(_ v: Double?) -> String { v.map { String(format: "%.3f", $0) } ?? "null" }
        return "\"count\": \(count), \"p50_ms\": \(number(percentileMilliseconds(0.5))), "
            + "\"p99_ms\": \(number(percentileMilliseconds(0.99))), \"max_ms\": \(number(longest.microseconds / 1000))"
    }
}

extension Duration {
    var microseconds: Double { Double(components.seconds) * 1e6 + Double(components.attoseconds) / 1e12 }
}
