/// One line of a CRI log file: `<RFC3339Nano> <stream> <F|P> <text>`. `P` marks part of a
/// line the runtime split because it was long; the line goes on in the next entry.
struct CRILogEntry: Equatable {
    var timestamp: String
    var stream: String
    var partial: Bool
    var text: ArraySlice<UInt8>

    /// Nil for a line that is not in the format (kubelet skips those too).
    init?(line: ArraySlice<UInt8>) {
        let space = UInt8(ascii: " ")
        guard let first = line.firstIndex(of: space),
              let second = line[(first + 1)...].firstIndex(of: space) else { return nil }
        let tagStart = second + 1
        let tagEnd = line[tagStart...].firstIndex(of: space) ?? line.endIndex
        // Tags are colon-separated; the first says full or partial.
        let tag = line[tagStart..<tagEnd].split(separator: UInt8(ascii: ":"), omittingEmptySubsequences: false).first ?? []
        guard tag.elementsEqual("F".utf8) || tag.elementsEqual("P".utf8) else { return nil }
        timestamp = String(decoding: line[line.startIndex..<first], as: UTF8.self)
        stream = String(decoding: line[(first + 1)..<second], as: UTF8.self)
        partial = tag.elementsEqual("P".utf8)
        text = tagEnd < line.endIndex ? line[(tagEnd + 1)...] : []
    }
}

/// Turns CRI log lines back into what the container wrote, as the kubelet serves `kubectl logs`:
/// partial lines are joined, and `--timestamps` puts the time before each line (not before
/// each part) in RFC 3339 with nine fractional digits.
struct CRILogPrinter {
    var timestamps: Bool
    private var atLineStart = true

    init(timestamps: Bool) { self.timestamps = timestamps }

    /// The bytes to print for complete lines in `data` (no trailing partial line).
    mutating func render(lines data: ArraySlice<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        for line in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            guard let entry = CRILogEntry(line: line) else { continue }
            if timestamps && atLineStart { out += Self.fixedNano(entry.timestamp).utf8 + [UInt8(ascii: " ")] }
            out += entry.text
            if !entry.partial { out.append(UInt8(ascii: "\n")) }
            atLineStart = !entry.partial
        }
        return out
    }

    /// The kubelet's `RFC3339NanoFixed`: `2024-05-01T12:00:00.120000000Z` (CRI files may trim zeros).
    static func fixedNano(_ timestamp: String) -> String {
        guard let t = timestamp.firstIndex(of: "T") else { return timestamp }
        let zoneStart = timestamp[t...].firstIndex { $0 == "Z" || $0 == "+" || $0 == "-" } ?? timestamp.endIndex
        let clock = timestamp[..<zoneStart]
        let zone = timestamp[zoneStart...]
        var whole = clock
        var fraction = Substring("")
        if let dot = clock.firstIndex(of: ".") {
            whole = clock[..<dot]
            fraction = clock[clock.index(after: dot)...]
        }
        let digits = String(fraction.prefix(9))
        return whole + "." + digits + String(repeating: "0", count: 9 - digits.count) + zone
    }
}
