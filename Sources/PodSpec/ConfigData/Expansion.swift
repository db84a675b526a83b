/// `$(VAR)` references, exactly as the kubelet expands them in `env[].value`, `command` and
/// `args` (k8s.io/kubernetes/third_party/forked/golang/expansion/expand.go): `$(VAR)` becomes
/// VAR's value when the mapping knows VAR and stays as written when it does not; `$$` is one `$`
/// (so `$$(VAR)` is the text `$(VAR)`); any other `$` is kept. Byte by byte, as the Go code.
public enum Expansion {
    private static let dollar = UInt8(ascii: "$"), open = UInt8(ascii: "("), close = UInt8(ascii: ")")

    /// A mapping over variable tables, the first one that has the name winning
    /// (MappingFuncFor); an unknown name is written back as `$(NAME)`.
    public static func mapping(_ tables: [String: String]...) -> (String) -> String {
        { name in
            for table in tables { if let value = table[name] { return value } }
            return "$(" + name + ")"
        }
    }

    public static func expand(_ input: String, _ mapping: (String) -> String) -> String {
        let bytes = Array(input.utf8)
        var output: [UInt8] = []
        var checkpoint = 0
        var cursor = 0
        while cursor < bytes.count {
            if bytes[cursor] == dollar && cursor + 1 < bytes.count {
                output += bytes[checkpoint..<cursor]
                let (read, isVariable, advance) = readVariableName(bytes[(cursor + 1)...])
                if isVariable {
                    output += Array(mapping(String(decoding: read, as: UTF8.self)).utf8)
                } else {
                    output += read
                }
                cursor += advance
                checkpoint = cursor + 1
            }
            cursor += 1
        }
        output += bytes[checkpoint...]
        return String(decoding: output, as: UTF8.self)
    }

    /// tryReadVariableName: what follows a `$`, whether it is a variable's name, and how many
    /// bytes it took.
    private static func readVariableName(_ input: ArraySlice<UInt8>) -> ([UInt8], Bool, Int) {
        let start = input.startIndex
        switch input[start] {
        case dollar:
            return ([dollar], false, 1)
        case open:
            var index = start + 1
            while index < input.endIndex {
                if input[index] == close { return (Array(input[(start + 1)..<index]), true, index - start + 1) }
                index += 1
            }
            return ([dollar, open], false, 1)
        default:
            // Go's string(input[0]) makes a rune of the byte: a byte above 0x7F becomes the
            // two-byte UTF-8 of U+0080...U+00FF, as the kubelet writes it.
            return ([dollar] + Array(String(Character(Unicode.Scalar(input[start]))).utf8), false, 1)
        }
    }
}
