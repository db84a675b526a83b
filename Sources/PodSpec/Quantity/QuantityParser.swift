/// Why a string is not a Kubernetes quantity; the descriptions are `resource.ParseQuantity`'s.
public enum QuantityError: Error, Sendable, Equatable, CustomStringConvertible {
    case formatWrong
    case numeric
    case suffix

    public var description: String {
        switch self {
        case .formatWrong:
            "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
        case .numeric:
            "unable to parse numeric part of quantity"
        case .suffix:
            "unable to parse quantity's suffix"
        }
    }
}

/// The grammar of `k8s.io/apimachinery/pkg/api/resource`:
///
///     <quantity>  ::= <sign>? <digits>? ( "." <digits>? )? <suffix>
///     <suffix>    ::= "" | n | u | m | k | M | G | T | P | E      (powers of 1000)
///                   | Ki | Mi | Gi | Ti | Pi | Ei                 (powers of 1024)
///                   | ( e | E ) <sign>? <digits>                  (power of ten)
///
/// Unlike Kubernetes' scanner, a quantity needs at least one digit: `m` or `.` alone is an error
/// here, where the API server would quietly read it as zero.
enum QuantityParser {
    struct Parsed {
        var isNegative: Bool
        var magnitude: DecimalMagnitude
    }

    /// Exponents beyond this only overflow or round to the smallest unit; clamping keeps the
    /// arithmetic on plain Ints.
    private static let exponentLimit: Int64 = 10_000_000

    static func parse(_ text: String) throws(QuantityError) -> Parsed {
        let bytes = Array(text.utf8)
        var position = 0
        func advance(while accepted: (UInt8) -> Bool) -> ArraySlice<UInt8> {
            let start = position
            while position < bytes.count, accepted(bytes[position]) { position += 1 }
            return bytes[start..<position]
        }

        var isNegative = false
        if position < bytes.count, bytes[position] == UInt8(ascii: "-") || bytes[position] == UInt8(ascii: "+") {
            isNegative = bytes[position] == UInt8(ascii: "-")
            position += 1
        }
        let numberStart = position
        let whole = advance(while: isDigit)
        var fraction: ArraySlice<UInt8> = []
        if position < bytes.count, bytes[position] == UInt8(ascii: ".") {
            position += 1
            fraction = advance(while: isDigit)
        }
        let hasNumberText = position > numberStart

        let suffixStart = position
        _ = advance { suffixLetters.contains($0) }
        if position < bytes.count, bytes[position] == UInt8(ascii: "-") || bytes[position] == UInt8(ascii: "+") {
            position += 1
        }
        _ = advance(while: isDigit)
        guard position == bytes.count, hasNumberText else { throw .formatWrong }
        guard !whole.isEmpty || !fraction.isEmpty else { throw .numeric }

        let (decimalExponent, binaryExponent) = try interpret(suffix: bytes[suffixStart...])
        let digits = (whole + fraction).map { $0 - UInt8(ascii: "0") }
        var magnitude = DecimalMagnitude(digits: digits, exponent: decimalExponent - fraction.count)
        for _ in 0..<(binaryExponent / 10) {
            magnitude = magnitude.multiplied(by: 1024)
        }
        return Parsed(isNegative: isNegative && !magnitude.isZero, magnitude: magnitude)
    }

    /// The power of ten and the power of two a suffix stands for.
    private static func interpret(suffix: ArraySlice<UInt8>) throws(QuantityError) -> (Int, Int) {
        switch String(decoding: suffix, as: UTF8.self) {
        case "": return (0, 0)
        case "n": return (-9, 0)
        case "u": return (-6, 0)
        case "m": return (-3, 0)
        case "k": return (3, 0)
        case "M": return (6, 0)
        case "G": return (9, 0)
        case "T": return (12, 0)
        case "P": return (15, 0)
        case "E": return (18, 0)
        case "Ki": return (0, 10)
        case "Mi": return (0, 20)
        case "Gi": return (0, 30)
        case "Ti": return (0, 40)
        case "Pi": return (0, 50)
        case "Ei": return (0, 60)
        case let other:
            guard other.count > 1, other.first == "e" || other.first == "E",
                  let exponent = Int64(other.dropFirst()) else { throw .suffix }
            return (Int(max(-exponentLimit, min(exponentLimit, exponent))), 0)
        }
    }

    private static let suffixLetters = Set("eEinumkKMGTP".utf8)

    private static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }
}
