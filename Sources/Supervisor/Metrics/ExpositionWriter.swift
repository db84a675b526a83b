import Prometheus

/// Families written by hand in the Prometheus text format (version 0.0.4), beside those of the
/// swift-prometheus registry: values read from a snapshot at scrape time (a counter that mirrors
/// `restartCount`, as kube-state-metrics does) and histograms whose buckets a `LatencyHistogram`
/// already holds.
struct ExpositionWriter {
    var bytes: [UInt8] = []

    mutating func family(_ name: String, type: String, help: String) {
        append("# HELP \(name) \(help.replacingBackslashes)\n# TYPE \(name) \(type)\n")
    }

    /// `name{label="value",...} value`
    mutating func sample(_ name: String, _ labels: [(String, String)], _ value: String) {
        append(name)
        if !labels.isEmpty {
            append("{")
            for (i, (label, labelValue)) in labels.enumerated() {
                append(i == 0 ? "" : ",")
                append(label)
                append("=\"")
                append(labelValue.escapedLabelValue)
                append("\"")
            }
            append("}")
        }
        append(" ")
        append(value)
        append("\n")
    }

    /// A `LatencyHistogram` as a histogram family of one series: cumulative buckets at its bounds
    /// from 10 µs (everything shorter is counted there), `+Inf`, `_sum` in seconds, `_count`.
    mutating func histogram(_ name: String, help: String, _ h: LatencyHistogram) {
        family(name, type: "histogram", help: help)
        for (bound, count) in h.cumulativeBuckets where bound >= 10_000 {
            sample(name + "_bucket", [("le", Duration.nanoseconds(bound).bucketRepresentation)], "\(count)")
        }
        sample(name + "_bucket", [("le", "+Inf")], "\(h.count)")
        sample(name + "_sum", [], h.sum.bucketRepresentation)
        sample(name + "_count", [], "\(h.count)")
    }

    private mutating func append(_ s: String) { bytes.append(contentsOf: s.utf8) }
}

extension String {
    /// Backslash, double quote and line feed escaped, as the text format asks of label values.
    var escapedLabelValue: String {
        guard contains(where: { $0 == "\\" || $0 == "\"" || $0 == "\n" }) else { return self }
        return replacingBackslashes.replacing("\"", with: "\\\"").replacing("\n", with: "\\n")
    }

    fileprivate var replacingBackslashes: String { replacing("\\", with: "\\\\") }
}
