/// Go's `%q` for a string (strconv.Quote), which the kubelet uses around image names: double
/// quotes, backslash escapes for quotes, backslashes and control characters; printable Unicode as is.
public func goQuoted(_ text: String) -> String {
    var out = "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\u{07}": out += "\\a"
        case "\u{08}": out += "\\b"
        case "\u{0C}": out += "\\f"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        case "\u{0B}": out += "\\v"
        default:
            if scalar.value < 0x20 || scalar.value == 0x7F {
                out += "\\x" + hex(scalar.value, width: 2)
            } else if scalar != " " && !scalar.properties.isPrintable {
                out += scalar.value > 0xFFFF ? "\\U" + hex(scalar.value, width: 8) : "\\u" + hex(scalar.value, width: 4)
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
    }
    return out + "\""
}

private func hex(_ value: UInt32, width: Int) -> String {
    let digits = String(value, radix: 16)
    return String(repeating: "0", count: max(0, width - digits.count)) + digits
}

private extension Unicode.Scalar.Properties {
    /// Close to Go's unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space.
    var isPrintable: Bool {
        switch generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
             .nonspacingMark, .spacingMark, .enclosingMark,
             .decimalNumber, .letterNumber, .otherNumber,
             .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
             .initialPunctuation, .finalPunctuation, .otherPunctuation,
             .mathSymbol, .currencySymbol, .modifierSymbol, .otherSymbol:
            true
        default:
            false
        }
    }
}
