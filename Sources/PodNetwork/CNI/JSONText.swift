import Foundation

/// The little JSON handling CNI needs: configs are parsed to be checked and re-serialised per
/// plugin (as libcni does), results are passed on as text and only read for interfaces and IPs.
enum JSONText {
    /// The JSON object in `bytes`, nil when they hold something else or invalid JSON.
    static func object(_ bytes: some Collection<UInt8>) -> [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: Any]
    }

    /// `object` as compact JSON with sorted keys, nil if it holds something JSON cannot say.
    static func serialize(_ object: [String: Any]) -> [UInt8]? {
        guard JSONSerialization.isValidJSONObject(object),
              let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        else { return nil }
        return Array(data)
    }

    /// A JSON string literal for `text` (Foundation's encoder; messages use Go's %q, `goQuoted`).
    static func quote(_ text: String) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .withoutEscapingSlashes
        return (try? encoder.encode(text)).map { String(decoding: $0, as: UTF8.self) } ?? "\"\""
    }

    /// Text with surrounding whitespace (and NULs) removed, decoded leniently.
    static func trimmed(_ bytes: [UInt8]) -> String {
        String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines.union(["\0"]))
    }
}
