import Foundation
import Testing
@testable import Supervisor

// The supervisor's latency histogram: swiftlet's latency families in the metrics text.

@Suite struct LatencyHistogramTests {
    @Test func percentilesAreTheBucketHoldingTheRankWithin13Percent() throws {
        var h = LatencyHistogram()
        for _ in 0..<98 { h.add(.milliseconds(2)) }
        h.add(.milliseconds(300))
        h.add(.milliseconds(900))
        let p50 = try #require(h.percentileMilliseconds(0.5))
        let p99 = try #require(h.percentileMilliseconds(0.99))
        #expect(p50 >= 2 && p50 < 2 * 1.13)
        #expect(p99 >= 300 && p99 < 300 * 1.13)
        #expect(h.count == 100)
    }

    /// A bucket's bound is inclusive, as a Prometheus `le` is: a duration equal to it is counted
    /// there, one nanosecond more in the next.
    @Test func aDurationOnABoundIsInThatBucket() throws {
        var h = LatencyHistogram()
        h.add(.milliseconds(1))
        h.add(.nanoseconds(1_000_001))
        let buckets = h.cumulativeBuckets
        let i = try #require(buckets.firstIndex { $0.bound == 1_000_000 })
        #expect(buckets[i].count == 1)
        #expect(buckets[i + 1].bound == 1_120_000 && buckets[i + 1].count == 2)
    }

    @Test func theBoundsRiseByAtMost13PercentFrom1MicrosecondTo100Seconds() {
        let bounds = LatencyHistogram.bounds
        #expect(bounds.count == 160)
        #expect(bounds.first == 1120 && bounds.last == 100_000_000_000)
        #expect(zip(bounds, bounds.dropFirst()).allSatisfy { Double($1) / Double($0) < 1.13 })
        #expect(bounds.contains(10_000) && bounds.contains(1_000_000) && bounds.contains(1_000_000_000))
    }

    /// Past 100 s: counted, in no bucket (only +Inf holds it), and the percentile is the longest.
    @Test func aDurationPastTheLastBoundIsCountedInNoBucket() {
        var h = LatencyHistogram()
        h.add(.seconds(5))
        h.add(.seconds(250))
        #expect(h.count == 2)
        #expect(h.sum == .seconds(255))
        #expect(h.cumulativeBuckets.last?.count == 1)
        #expect(h.percentileMilliseconds(1) == 250_000)
    }

    @Test func anEmptyHistogramHasNoPercentiles() {
        #expect(LatencyHistogram().percentileMilliseconds(0.5) == nil)
    }

    /// The benchmarks take a window's percentiles from the difference of two reads' buckets.
}
