/// Whole-number views of `Duration`, so timing rules compare integers, never floating point.
extension Duration {
    /// Truncated toward zero, like Go's `time.Duration` integer conversions, and saturating at
    /// ±292 years as Go's `Time.Sub` does rather than trapping.
    var wholeNanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return seconds < 0 ? .min : .max }
        let (sum, overflowSum) = scaled.addingReportingOverflow(attoseconds / 1_000_000_000)
        if overflowSum { return seconds < 0 ? .min : .max }
        return sum
    }

    /// Truncated toward zero, like Go's `int(d.Seconds())`.
    var wholeSeconds: Int64 {
        wholeNanoseconds / 1_000_000_000
    }

    /// Rounded down (toward the past), as Go's `time.Time` keeps a non-negative nanosecond part.
    var flooredSeconds: Int64 {
        let (seconds, attoseconds) = components
        return attoseconds < 0 ? seconds - 1 : seconds
    }
}
