/// Go's `text/tabwriter` as kubectl sets it up (`minwidth 0, tabwidth 8, padding 2, padchar ' '`,
/// no flags), so swiftlet's tables line up exactly as kubectl's do.
///
/// Cells end with a tab; the text after a line's last tab is not a cell and is never padded.
/// A column's width is set per block of consecutive lines that have a cell in that column, so a
/// line without tabs (`Events:`) separates tables that share one writer.
public struct TabWriter: Hashable, Sendable {
    public var minWidth: Int
    public var padding: Int

    public init(minWidth: Int = 0, padding: Int = 2) {
        self.minWidth = minWidth
        self.padding = padding
    }

    public func format(_ text: String) -> String {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
        var widths: [Int] = []
        var out = ""
        layout(lines, 0..<lines.count, widths: &widths, into: &out)
        return out
    }

    /// Go's `format`: for the next column, find each block of lines that has a cell there, size it,
    /// and recurse into the block for the columns to its right.
    private func layout(_ lines: [[String]], _ range: Range<Int>, widths: inout [Int], into out: inout String) {
        let column = widths.count
        var pending = range.lowerBound
        var line = range.lowerBound
        while line < range.upperBound {
            guard lines[line].count - 1 > column else {
                line += 1
                continue
            }
            write(lines, pending..<line, widths: widths, into: &out)
            let blockStart = line
            var width = minWidth
            while line < range.upperBound, lines[line].count - 1 > column {
                width = max(width, lines[line][column].unicodeScalars.count + padding)
                line += 1
            }
            widths.append(width)
            layout(lines, blockStart..<line, widths: &widths, into: &out)
            widths.removeLast()
            pending = line
        }
        write(lines, pending..<range.upperBound, widths: widths, into: &out)
    }

    private func write(_ lines: [[String]], _ range: Range<Int>, widths: [Int], into out: inout String) {
        for index in range {
            for (column, cell) in lines[index].enumerated() {
                out += cell
                if column < widths.count, column < lines[index].count - 1 {
                    out += String(repeating: " ", count: max(0, widths[column] - cell.unicodeScalars.count))
                }
            }
            // The split produced one more "line" after a trailing newline; it gets none back.
            if index < lines.count - 1 { out += "\n" }
        }
    }
}
