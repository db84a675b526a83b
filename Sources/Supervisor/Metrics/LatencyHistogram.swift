import Foundation

/// Durations as a log-scale histogram: 20 buckets a decade from 1 µs to 100 s, so a percentile
/// is known to within 13% and memory stays the same however many are added. The bounds are
/// 10^(i/20) rounded to three digits (1, 1.12, 1.26, … 8.91 µs, 10 µs, …), whole nanoseconds, so
/// a bound prints exactly as a Prometheus `le` and a duration is compared with it exactly.
struct LatencyHistogram: Sendable {
    /// Upper bounds in nanoseconds, inclusive: bucket i holds durations in (bound[i-1], bound[i]].
    static let bounds: [Int64] = {
        let mantissas: [Int64] = [100, 112, 126, 141, 158, 178, 200, 224, 251, 282,
                                  316, 355, 398, 447, 501, 562, 631, 708, 794, 891]
        var bounds: [Int64] = []
        var scale: Int64 = 10  // 100 × 10 ns = 1 µs
        for _ in 0..<8 {
            bounds += mantissas.dropFirst(bounds.isEmpty ? 1 : 0).map { $0 * scale }
            scale *= 10
        }
        return bounds + [100 * scale]  // … 89.1 s, 100 s
    }()
    private var buckets = [Int](repeating: 0, count: bounds.count)
    private(set) var count = 0
    private(set) var sum: Duration = .zero
    private(set) var longest: Duration = .zero

    mutating func add(_ duration: Duration) {
        count += 1
        sum += duration
        longest = max(longest, duration)
        // Longer than the last bound: counted (count, sum, longest) but in no bucket.
        if let index = Self.bucketIndex(duration.nanoseconds) { buckets[index] += 1 }
    }

    /// The bucket for `ns`: the first whose bound is not below it, found from the logarithm and
    /// checked against the exact bounds.
    static func bucketIndex(_ ns: Int64) -> Int? {
        guard ns <= bounds[bounds.count - 1] else { return nil }
        var i = min(max(Int((log10(Double(max(ns, 1)) / 1000) * 20).rounded(.up)) - 1, 0), bounds.count - 1)
        while i > 0 && ns <= bounds[i - 1] { i -= 1 }
        while ns > bounds[i] { i += 1 }
        return i
    }

    /// The upper bound of the bucket holding the p-th percentile (0 < p ≤ 1), in milliseconds;
    /// past the last bucket, the longest duration itself.
    func percentileMilliseconds(_ p: Double) -> Double? {
        guard count > 0 else { return nil }
        let rank = Int((Double(count) * p).rounded(.up))
        var seen = 0
        for (index, n) in buckets.enumerated() {
            seen += n
            if seen >= rank { return Double(Self.bounds[index]) / 1e6 }
        }
        return longest.microseconds / 1000
    }

    /// The cumulative counts at each bound: `(bound in ns, durations ≤ bound)`, as a Prometheus
    /// histogram lists them.
    var cumulativeBuckets: [(bound: Int64, count: Int)] {
        var seen = 0
        return zip(Self.bounds, buckets).map { bound, n in
            seen += n
            return (bound, seen)
        }
    }


}

extension Duration {
    var microseconds: Double { Double(components.seconds) * 1e6 + Double(components.attoseconds) / 1e12 }
    /// Whole nanoseconds, rounded up (a bound is never below the duration it holds).
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let ns = attoseconds / 1_000_000_000
        return seconds * 1_000_000_000 + ns + (ns * 1_000_000_000 < attoseconds ? 1 : 0)
    }
}
