/// Standard base64 (with padding) as Go's encoding/base64 StdEncoding decodes it: `\r` and `\n`
/// are skipped; an error gives the offset Go's CorruptInputError reports.
public enum Base64 {
    enum Result: Equatable {
        case success([UInt8])
        case failure(offset: Int)
    }

    static func decode(_ text: String) -> Result {
        let input = Array(text.utf8)
        var output: [UInt8] = []
        var quantum: [UInt8] = []
        var quantumStart = 0
        var index = 0
        var padded = false
        while index < input.count {
            let byte = input[index]
            if byte == UInt8(ascii: "\r") || byte == UInt8(ascii: "\n") { index += 1; continue }
            if quantum.isEmpty { quantumStart = index }
            if padded { return .failure(offset: index) }  // data after the padding
            if byte == UInt8(ascii: "=") {
                // Padding completes a quantum of 2 or 3 symbols.
                switch quantum.count {
                case 2:
                    var next = index + 1
                    while next < input.count, input[next] == UInt8(ascii: "\r") || input[next] == UInt8(ascii: "\n") { next += 1 }
                    guard next < input.count, input[next] == UInt8(ascii: "=") else { return .failure(offset: index) }
                    output.append(quantum[0] << 2 | quantum[1] >> 4)
                    index = next + 1
                case 3:
                    output.append(quantum[0] << 2 | quantum[1] >> 4)
                    output.append(quantum[1] << 4 | quantum[2] >> 2)
                    index += 1
                default:
                    return .failure(offset: index)
                }
                quantum = []
                padded = true
                continue
            }
            guard let value = symbolValue(byte) else { return .failure(offset: index) }
            quantum.append(value)
            if quantum.count == 4 {
                output.append(quantum[0] << 2 | quantum[1] >> 4)
                output.append(quantum[1] << 4 | quantum[2] >> 2)
                output.append(quantum[2] << 6 | quantum[3])
                quantum = []
            }
            index += 1
        }
        guard quantum.isEmpty else { return .failure(offset: quantumStart) }
        return .success(output)
    }

    private static func symbolValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): byte - UInt8(ascii: "A")
        case UInt8(ascii: "a")...UInt8(ascii: "z"): byte - UInt8(ascii: "a") + 26
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0") + 52
        case UInt8(ascii: "+"): 62
        case UInt8(ascii: "/"): 63
        default: nil
        }
    }

    public static func encode(_ bytes: [UInt8]) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        var output: [UInt8] = []
        var index = 0
        while index < bytes.count {
            let chunk = Array(bytes[index..<min(index + 3, bytes.count)])
            let b0 = chunk[0], b1 = chunk.count > 1 ? chunk[1] : 0, b2 = chunk.count > 2 ? chunk[2] : 0
            output.append(alphabet[Int(b0 >> 2)])
            output.append(alphabet[Int((b0 & 0x03) << 4 | b1 >> 4)])
            output.append(chunk.count > 1 ? alphabet[Int((b1 & 0x0F) << 2 | b2 >> 6)] : UInt8(ascii: "="))
            output.append(chunk.count > 2 ? alphabet[Int(b2 & 0x3F)] : UInt8(ascii: "="))
            index += 3
        }
        return String(decoding: output, as: UTF8.self)
    }
}
