// A small, strict JSON (RFC 8259) value with its parser and serializer, and whole-file helpers.
// The runtime does not link Foundation (start-up latency), so this is what reads config.json and
// writes state files. The parser accepts exactly RFC 8259 — no comments, trailing commas, BOM,
// NaN or lone surrogates — and additionally rejects duplicate object keys: two tools reading the
// same config.json must never disagree about what it says.

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A JSON value. Objects keep their members in document (insertion) order.
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case number(JSONNumber)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)
}

/// A JSON number kept as its literal text, so 64-bit integers survive exactly.
/// Equality is textual: `1` and `1.0` are different numbers here.
public struct JSONNumber: Sendable, Equatable, CustomStringConvertible {
    /// The literal; always valid RFC 8259 number syntax.
    public let text: String

    /// Wraps text the parser has already checked.
    init(validated text: String) { self.text = text }

    /// The number for an integer.
    public init<T: BinaryInteger>(_ value: T) { text = String(value) }

    /// The number for a finite double; nil for NaN and infinities, which JSON cannot express.
    public init?(_ value: Double) {
        guard value.isFinite else { return nil }
        text = value.description
    }

    /// The value as `T` if it is an integer literal (no fraction, no exponent) that fits.
    public func integer<T: FixedWidthInteger>(as type: T.Type = T.self) -> T? {
        var digits = text.utf8[...]
        let negative = digits.first == UInt8(ascii: "-")
        if negative { digits = digits.dropFirst() }
        guard !digits.isEmpty else { return nil }
        var magnitude: UInt64 = 0
        for byte in digits {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            let (times10, o1) = magnitude.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times10.addingReportingOverflow(UInt64(byte - UInt8(ascii: "0")))
            if o1 || o2 { return nil }
            magnitude = sum
        }
        guard negative, magnitude != 0 else { return T(exactly: magnitude) }
        if magnitude <= UInt64(Int64.max) { return T(exactly: -Int64(magnitude)) }
        if magnitude == UInt64(Int64.max) + 1 { return T(exactly: Int64.min) }
        return nil
    }

    /// The nearest double.
    public var double: Double? { Double(text) }

    public var description: String { text }
}

/// A JSON object: members in insertion order, keys unique.
/// Equality compares members in order.
public struct JSONObject: Sendable, Equatable, ExpressibleByDictionaryLiteral {
    /// One key and its value.
    public struct Member: Sendable, Equatable {
        /// The member's name.
        public var key: String
        /// The member's value.
        public var value: JSONValue
    }

    /// The members, in order.
    public private(set) var members: [Member] = []

    /// An empty object.
    public init() {}

    /// An object with the literal's members in the literal's order; a repeated key replaces.
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        for (key, value) in elements { self[key] = value }
    }

    /// The number of members.
    public var count: Int { members.count }
    /// Whether the object has no members.
    public var isEmpty: Bool { members.isEmpty }
    /// The keys, in order.
    public var keys: [String] { members.map(\.key) }

    /// The value for `key`. Setting replaces in place or appends; setting nil removes.
    public subscript(key: String) -> JSONValue? {
        get { members.first { $0.key == key }?.value }
        set {
            let index = members.firstIndex { $0.key == key }
            switch (index, newValue) {
            case let (i?, value?): members[i].value = value
            case let (i?, nil): members.remove(at: i)
            case let (nil, value?): members.append(Member(key: key, value: value))
            case (nil, nil): break
            }
        }
    }

    /// Appends without looking for an existing key (the parser has checked).
    mutating func appendUnchecked(_ key: String, _ value: JSONValue) {
        members.append(Member(key: key, value: value))
    }
}

// MARK: - Conveniences

extension JSONValue {
    /// The integer value of a number.
    public static func integer<T: BinaryInteger>(_ value: T) -> JSONValue { .number(JSONNumber(value)) }

    /// "null", "boolean", "number", "string", "array" or "object", for error messages.
    public var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "boolean"
        case .number: return "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }

    /// The payload of a string value; nil for other kinds (likewise for the accessors below).
    public var stringValue: String? { if case .string(let s) = self { return s } else { return nil } }
    public var boolValue: Bool? { if case .bool(let b) = self { return b } else { return nil } }
    public var numberValue: JSONNumber? { if case .number(let n) = self { return n } else { return nil } }
    public var arrayValue: [JSONValue]? { if case .array(let a) = self { return a } else { return nil } }
    public var objectValue: JSONObject? { if case .object(let o) = self { return o } else { return nil } }

    /// A member of an object value; nil for other values or a missing key.
    public subscript(key: String) -> JSONValue? { objectValue?[key] }
}

extension JSONValue: ExpressibleByNilLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByStringLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
    public init(nilLiteral: ()) { self = .null }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(integerLiteral value: Int) { self = .number(JSONNumber(value)) }
    public init(stringLiteral value: String) { self = .string(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        var object = JSONObject()
        for (key, value) in elements { object[key] = value }
        self = .object(object)
    }
}

// MARK: - Parsing

/// Why and where a JSON text is invalid.
public struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Byte offset from the start of the input, 0-based.
    public let offset: Int
    /// 1-based line.
    public let line: Int
    /// 1-based column, counted in bytes.
    public let column: Int
    /// What is wrong: "unexpected character ',', expected a value".
    public let message: String

    public var description: String { "line \(line), column \(column): \(message)" }
}

extension JSONValue {
    /// Parses one JSON text (RFC 8259, nothing more; duplicate keys are an error).
    public static func parse(_ bytes: [UInt8]) throws(JSONParseError) -> JSONValue {
        var parser = JSONParser(bytes: bytes)
        return try parser.document()
    }

    /// Parses the UTF-8 of `text`.
    public static func parse(_ text: String) throws(JSONParseError) -> JSONValue {
        try parse(Array(text.utf8))
    }
}

private struct JSONParser {
    let bytes: [UInt8]
    var pos = 0
    var depth = 0
    /// Real configs nest about 6 deep; the limit keeps hostile input from exhausting the stack.
    static let maxDepth = 512

    init(bytes: [UInt8]) { self.bytes = bytes }

    mutating func document() throws(JSONParseError) -> JSONValue {
        skipWhitespace()
        let value = try value()
        skipWhitespace()
        guard pos == bytes.count else { throw error("unexpected \(describeCurrent()) after the JSON value") }
        return value
    }

    private var current: UInt8? { pos < bytes.count ? bytes[pos] : nil }

    private mutating func value() throws(JSONParseError) -> JSONValue {
        guard let byte = current else { throw error("unexpected end of input, expected a value") }
        switch byte {
        case UInt8(ascii: "{"): return try object()
        case UInt8(ascii: "["): return try array()
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try number())
        default: throw error("unexpected \(describeCurrent()), expected a value")
        }
    }

    private mutating func object() throws(JSONParseError) -> JSONValue {
        try enter()
        pos += 1  // {
        var object = JSONObject()
        var keyIndex = Set<String>()  // built only for large objects; small ones are scanned
        skipWhitespace()
        if current == UInt8(ascii: "}") {
            pos += 1
            depth -= 1
            return .object(object)
        }
        while true {
            skipWhitespace()
            guard current == UInt8(ascii: "\"") else {
                throw error("unexpected \(describeCurrent()), expected a string key")
            }
            let keyOffset = pos
            let key = try string()
            let duplicate: Bool
            if object.count < 16 {
                duplicate = object.members.contains { $0.key == key }
            } else {
                if keyIndex.isEmpty { keyIndex = Set(object.keys) }
                duplicate = !keyIndex.insert(key).inserted
            }
            guard !duplicate else {
                throw error("duplicate key \(JSONValue.string(key).text())", at: keyOffset)
            }
            skipWhitespace()
            guard current == UInt8(ascii: ":") else {
                throw error("unexpected \(describeCurrent()), expected ':' after an object key")
            }
            pos += 1
            skipWhitespace()
            object.appendUnchecked(key, try value())
            skipWhitespace()
            switch current {
            case UInt8(ascii: ","): pos += 1
            case UInt8(ascii: "}"):
                pos += 1
                depth -= 1
                return .object(object)
            default: throw error("unexpected \(describeCurrent()), expected ',' or '}' in an object")
            }
        }
    }

    private mutating func array() throws(JSONParseError) -> JSONValue {
        try enter()
        pos += 1  // [
        var elements: [JSONValue] = []
        skipWhitespace()
        if current == UInt8(ascii: "]") {
            pos += 1
            depth -= 1
            return .array(elements)
        }
        while true {
            skipWhitespace()
            elements.append(try value())
            skipWhitespace()
            switch current {
            case UInt8(ascii: ","): pos += 1
            case UInt8(ascii: "]"):
                pos += 1
                depth -= 1
                return .array(elements)
            default: throw error("unexpected \(describeCurrent()), expected ',' or ']' in an array")
            }
        }
    }

    private mutating func enter() throws(JSONParseError) {
        depth += 1
        if depth > Self.maxDepth { throw error("nesting deeper than \(Self.maxDepth) levels") }
    }

    private mutating func string() throws(JSONParseError) -> String {
        let start = pos
        pos += 1  // opening quote
        // Fast path: most strings are ASCII without escapes and are taken as they are.
        var end = pos
        var ascii = true
        while end < bytes.count {
            let b = bytes[end]
            if b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\") || b < 0x20 { break }
            if b >= 0x80 { ascii = false }
            end += 1
        }
        if end < bytes.count, bytes[end] == UInt8(ascii: "\"") {
            if !ascii { try validateUTF8(pos..<end) }
            let text = String(decoding: bytes[pos..<end], as: UTF8.self)
            pos = end + 1
            return text
        }
        if !ascii { try validateUTF8(pos..<end) }
        var buffer = Array(bytes[pos..<end])
        pos = end
        while let b = current {
            switch b {
            case UInt8(ascii: "\""):
                pos += 1
                return String(decoding: buffer, as: UTF8.self)
            case UInt8(ascii: "\\"):
                try escape(into: &buffer)
            case 0..<0x20:
                throw error("control character \(hex(b)) must be escaped in a string")
            case 0x80...:
                let sequenceEnd = try validateUTF8Sequence(at: pos)
                buffer.append(contentsOf: bytes[pos..<sequenceEnd])
                pos = sequenceEnd
            default:
                buffer.append(b)
                pos += 1
            }
        }
        throw error("unterminated string", at: start)
    }

    /// Checks that `range` is well-formed UTF-8, so that String(decoding:) never has to repair it.
    private func validateUTF8(_ range: Range<Int>) throws(JSONParseError) {
        var i = range.lowerBound
        while i < range.upperBound {
            i = bytes[i] < 0x80 ? i + 1 : try validateUTF8Sequence(at: i)
        }
    }

    /// Checks the multi-byte sequence starting at `i` (Unicode Table 3-7: no overlong forms, no
    /// surrogates, nothing above U+10FFFF) and returns the index just past it.
    private func validateUTF8Sequence(at i: Int) throws(JSONParseError) -> Int {
        var second: ClosedRange<UInt8> = 0x80...0xBF
        let continuations: Int
        switch bytes[i] {
        case 0xC2...0xDF: continuations = 1
        case 0xE0: continuations = 2; second = 0xA0...0xBF
        case 0xE1...0xEC, 0xEE...0xEF: continuations = 2
        case 0xED: continuations = 2; second = 0x80...0x9F
        case 0xF0: continuations = 3; second = 0x90...0xBF
        case 0xF1...0xF3: continuations = 3
        case 0xF4: continuations = 3; second = 0x80...0x8F
        default: throw error("invalid UTF-8 byte \(hex(bytes[i]))", at: i)
        }
        for k in 1...continuations {
            let range = k == 1 ? second : 0x80...0xBF
            guard i + k < bytes.count, range.contains(bytes[i + k]) else {
                throw error("invalid UTF-8 sequence", at: i)
            }
        }
        return i + continuations + 1
    }

    private mutating func escape(into buffer: inout [UInt8]) throws(JSONParseError) {
        let start = pos
        pos += 1  // backslash
        guard let c = current else { throw error("unterminated string", at: start) }
        pos += 1
        switch c {
        case UInt8(ascii: "\""): buffer.append(0x22)
        case UInt8(ascii: "\\"): buffer.append(0x5C)
        case UInt8(ascii: "/"): buffer.append(0x2F)
        case UInt8(ascii: "b"): buffer.append(0x08)
        case UInt8(ascii: "f"): buffer.append(0x0C)
        case UInt8(ascii: "n"): buffer.append(0x0A)
        case UInt8(ascii: "r"): buffer.append(0x0D)
        case UInt8(ascii: "t"): buffer.append(0x09)
        case UInt8(ascii: "u"):
            let unit = try hex4(escapeStart: start)
            var scalarValue = unit
            switch unit {
            case 0xD800...0xDBFF:
                let lowStart = pos
                guard current == UInt8(ascii: "\\"), pos + 1 < bytes.count, bytes[pos + 1] == UInt8(ascii: "u") else {
                    throw error("unpaired high surrogate \\u\(hex4Text(unit))", at: start)
                }
                pos += 2
                let low = try hex4(escapeStart: lowStart)
                guard (0xDC00...0xDFFF).contains(low) else {
                    throw error("high surrogate \\u\(hex4Text(unit)) is not followed by a low surrogate", at: start)
                }
                scalarValue = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
            case 0xDC00...0xDFFF:
                throw error("unpaired low surrogate \\u\(hex4Text(unit))", at: start)
            default:
                break
            }
            guard let scalar = Unicode.Scalar(scalarValue) else {
                throw error("invalid \\u escape", at: start)
            }
            UTF8.encode(scalar) { buffer.append($0) }
        default:
            throw error("invalid escape sequence \\\(describe(c))", at: start)
        }
    }

    /// Reads the four hex digits of a \u escape.
    private mutating func hex4(escapeStart: Int) throws(JSONParseError) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard let b = current, let digit = hexDigit(b) else {
                throw error("invalid \\u escape: expected 4 hex digits", at: escapeStart)
            }
            value = value << 4 | digit
            pos += 1
        }
        return value
    }

    private func hexDigit(_ b: UInt8) -> UInt32? {
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt32(b - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return UInt32(b - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return UInt32(b - UInt8(ascii: "A") + 10)
        default: return nil
        }
    }

    private func hex4Text(_ unit: UInt32) -> String {
        let digits = String(unit, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    private mutating func number() throws(JSONParseError) -> JSONNumber {
        let start = pos
        if current == UInt8(ascii: "-") { pos += 1 }
        guard let first = current, isDigit(first) else {
            throw error("unexpected \(describeCurrent()), expected a digit")
        }
        if first == UInt8(ascii: "0") {
            pos += 1
            if let next = current, isDigit(next) { throw error("leading zeros are not allowed in numbers", at: start) }
        } else {
            skipDigits()
        }
        if current == UInt8(ascii: ".") {
            pos += 1
            guard let d = current, isDigit(d) else {
                throw error("unexpected \(describeCurrent()), expected a digit after the decimal point")
            }
            skipDigits()
        }
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            pos += 1
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { pos += 1 }
            guard let d = current, isDigit(d) else {
                throw error("unexpected \(describeCurrent()), expected a digit in the exponent")
            }
            skipDigits()
        }
        return JSONNumber(validated: String(decoding: bytes[start..<pos], as: UTF8.self))
    }

    private func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }

    private mutating func skipDigits() {
        while let b = current, isDigit(b) { pos += 1 }
    }

    private mutating func literal(_ word: String) throws(JSONParseError) {
        let start = pos
        for byte in word.utf8 {
            guard current == byte else { throw error("invalid literal, expected \(word)", at: start) }
            pos += 1
        }
    }

    private mutating func skipWhitespace() {
        while let b = current, b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 { pos += 1 }
    }

    private func describeCurrent() -> String {
        guard let b = current else { return "end of input" }
        return "character \(describe(b))"
    }

    private func describe(_ b: UInt8) -> String {
        if b >= 0x21 && b < 0x7F { return "'\(Character(Unicode.Scalar(b)))'" }
        return hex(b)
    }

    private func hex(_ b: UInt8) -> String {
        "0x" + (b < 0x10 ? "0" : "") + String(b, radix: 16, uppercase: true)
    }

    private func error(_ message: String, at offset: Int? = nil) -> JSONParseError {
        let offset = min(offset ?? pos, bytes.count)
        var line = 1
        var lineStart = 0
        for i in 0..<offset where bytes[i] == 0x0A {
            line += 1
            lineStart = i + 1
        }
        return JSONParseError(offset: offset, line: line, column: offset - lineStart + 1, message: message)
    }
}

// MARK: - Serializing

extension JSONValue {
    /// The JSON text as UTF-8: compact, or pretty with two-space indentation. Keys keep their order.
    public func serialized(pretty: Bool = false) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(1024)
        write(to: &out, pretty: pretty, indent: 0)
        return out
    }

    /// The JSON text as a String.
    public func text(pretty: Bool = false) -> String {
        String(decoding: serialized(pretty: pretty), as: UTF8.self)
    }

    private func write(to out: inout [UInt8], pretty: Bool, indent: Int) {
        switch self {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
        case .number(let n): out.append(contentsOf: n.text.utf8)
        case .string(let s): Self.writeString(s, to: &out)
        case .array(let elements):
            guard !elements.isEmpty else { return out.append(contentsOf: "[]".utf8) }
            out.append(UInt8(ascii: "["))
            for (i, element) in elements.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                Self.newline(&out, pretty: pretty, indent: indent + 2)
                element.write(to: &out, pretty: pretty, indent: indent + 2)
            }
            Self.newline(&out, pretty: pretty, indent: indent)
            out.append(UInt8(ascii: "]"))
        case .object(let object):
            guard !object.isEmpty else { return out.append(contentsOf: "{}".utf8) }
            out.append(UInt8(ascii: "{"))
            for (i, member) in object.members.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                Self.newline(&out, pretty: pretty, indent: indent + 2)
                Self.writeString(member.key, to: &out)
                out.append(UInt8(ascii: ":"))
                if pretty { out.append(UInt8(ascii: " ")) }
                member.value.write(to: &out, pretty: pretty, indent: indent + 2)
            }
            Self.newline(&out, pretty: pretty, indent: indent)
            out.append(UInt8(ascii: "}"))
        }
    }

    private static func newline(_ out: inout [UInt8], pretty: Bool, indent: Int) {
        guard pretty else { return }
        out.append(0x0A)
        out.append(contentsOf: repeatElement(UInt8(ascii: " "), count: indent))
    }

    /// Escapes what RFC 8259 requires (quote, backslash, controls); other UTF-8 passes through.
    private static func writeString(_ s: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var s = s
        s.withUTF8 { utf8 in
            // Copy runs that need no escaping in one go.
            var runStart = 0
            for (i, b) in utf8.enumerated() where b < 0x20 || b == 0x22 || b == 0x5C {
                out.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<i]))
                writeEscape(b, to: &out)
                runStart = i + 1
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart...]))
        }
        out.append(UInt8(ascii: "\""))
    }

    private static func writeEscape(_ b: UInt8, to out: inout [UInt8]) {
        switch b {
        case 0x22: out.append(contentsOf: #"\""#.utf8)
        case 0x5C: out.append(contentsOf: #"\\"#.utf8)
        case 0x0A: out.append(contentsOf: #"\n"#.utf8)
        case 0x0D: out.append(contentsOf: #"\r"#.utf8)
        case 0x09: out.append(contentsOf: #"\t"#.utf8)
        case 0x08: out.append(contentsOf: #"\b"#.utf8)
        case 0x0C: out.append(contentsOf: #"\f"#.utf8)
        case 0..<0x20:
            out.append(contentsOf: #"\u00"#.utf8)
            out.append(hexDigit(b >> 4))
            out.append(hexDigit(b & 0xF))
        default: out.append(b)
        }
    }

    private static func hexDigit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10
    }
}

// MARK: - Files

/// A file that could not be read or written, as one sentence: "cannot read /x: No such file or directory".
public struct JSONFileError: Error, Sendable, Equatable, CustomStringConvertible {
    /// "read" or "write".
    public let verb: String
    /// The file.
    public let path: String
    /// strerror text, or why the file was refused.
    public let reason: String

    public var description: String { "cannot \(verb) \(path): \(reason)" }
}

/// Whole-file read and atomic write on plain Glibc calls.
public enum JSONFile {
    /// Reads a whole regular file. Refuses FIFOs and devices (which could block or never end)
    /// and files larger than `limit` bytes.
    public static func read(_ path: String, limit: Int = 64 << 20) throws(JSONFileError) -> [UInt8] {
        func failure(_ reason: String) -> JSONFileError { JSONFileError(verb: "read", path: path, reason: reason) }

        // O_NONBLOCK so that opening a FIFO cannot hang; it has no effect on regular files.
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)
        guard fd >= 0 else { throw failure(Errno.current.description) }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw failure(Errno.current.description) }
        guard st.st_mode & S_IFMT == S_IFREG else { throw failure("not a regular file") }
        guard st.st_size <= limit else { throw failure("larger than \(limit) bytes") }

        // One more byte than stat reports, to see EOF in one read; /proc files report 0 and grow.
        var bytes = [UInt8](repeating: 0, count: Int(st.st_size) + 1)
        var used = 0
        while true {
            if used == bytes.count {
                guard bytes.count <= limit else { throw failure("larger than \(limit) bytes") }
                bytes.append(contentsOf: repeatElement(0, count: max(4096, bytes.count)))
            }
            let n = bytes.withUnsafeMutableBytes { buffer -> Int in
                guard let base = buffer.baseAddress else { return 0 }
                return Glibc.read(fd, base + used, buffer.count - used)
            }
            if n < 0 {
                if errno == EINTR { continue }
                throw failure(Errno.current.description)
            }
            if n == 0 { break }
            used += n
        }
        bytes.removeSubrange(used...)
        return bytes
    }

    /// Replaces `path` with `bytes` atomically: writes a temporary file beside it with exactly
    /// `mode` (not filtered by the umask), then renames it over `path`. Readers see the old or
    /// the new content, never a mix. `durable` adds an fsync before the rename.
    /// One writer per path per process: the temporary name is derived from the pid.
    public static func write(_ bytes: [UInt8], to path: String, mode: mode_t = 0o644,
                             durable: Bool = false) throws(JSONFileError) {
        func failure(_ reason: String) -> JSONFileError { JSONFileError(verb: "write", path: path, reason: reason) }

        let temp = "\(path).tmp-\(getpid())"
        let flags = O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW
        var fd = open(temp, flags, mode)
        if fd < 0 && errno == EEXIST {
            // Left behind by an earlier process that had our pid and died mid-write.
            unlink(temp)
            fd = open(temp, flags, mode)
        }
        guard fd >= 0 else { throw failure(Errno.current.description) }

        var written = 0
        var err: Int32 = fchmod(fd, mode) == 0 ? 0 : errno
        while err == 0 && written < bytes.count {
            let n = bytes.withUnsafeBytes { buffer -> Int in
                guard let base = buffer.baseAddress else { return 0 }
                return Glibc.write(fd, base + written, buffer.count - written)
            }
            if n < 0 {
                if errno != EINTR { err = errno }
            } else {
                written += n
            }
        }
        if err == 0 && durable && fsync(fd) != 0 { err = errno }
        if close(fd) != 0 && err == 0 { err = errno }
        if err == 0 && rename(temp, path) != 0 { err = errno }
        if err != 0 {
            unlink(temp)
            throw failure(Errno(err).description)
        }
    }
}
