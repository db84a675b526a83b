import Foundation
import Testing
@testable import Supervisor

// The supervisor's latency histogram ($SWIFTLET_METRICS), read by the benchmarks.

@Suite struct LatencyHistogramTests {
    @Test func percentilesAreTheBucketHoldingTheRankWithin12Percent() throws {
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

    @Test func anEmptyHistogramHasNoPercentiles() {
        #expect(LatencyHistogram().percentileMilliseconds(0.5) == nil)
    }

    /// The benchmarks take a window's percentiles from the difference of two reads' buckets.
    @Test func theJSONListsEveryFilledBucketWithItsCount() throws {
        var h = LatencyHistogram()
        for _ in 0..<3 { h.add(.milliseconds(2)) }
        h.add(.seconds(1))
        let json = try #require("{\(h.jsonFields)}".data(using: .utf8))
        let object = try #require(try JSONSerialization.jsonObject(with: json) as? [String: Any])
        let buckets = try #require(object["buckets"] as? [[Double]])
        #expect(buckets.map { $0[1] } == [3, 1])
        #expect(buckets[0][0] >= 2 && buckets[0][0] < 2 * 1.13)
        #expect(buckets[1][0] >= 1000 && buckets[1][0] < 1000 * 1.13)
        #expect(object["count"] as? Int == 4)
        #expect(object["max_ms"] as? Double == 1000)
    }
}
