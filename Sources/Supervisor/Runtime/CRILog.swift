import ContainerRuntime
import Foundation

/// A container instance's log in the CRI format the kubelet writes and `kubectl logs` reads:
/// `<RFC3339Nano> <stream> <F|P> <text>` per line, P for a line split because it was too long.
/// The file is capped: past `maxBytes` it is rotated once (`.1`), so one instance keeps at most
/// twice that.
final class CRILog: @unchecked Sendable {
    let path: String
    private let maxBytes: Int
    private var fd: Int32
    private var size = 0
    private var partial: [String: [UInt8]] = [:]
    private let lock = NSLock()
    static let maxLine = 16 * 1024

    init(path: String, maxBytes: Int = 10 << 20) {
        self.path = path
        self.maxBytes = maxBytes
        fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o640)
    }

    deinit { if fd >= 0 { close(fd) } }

    /// Appends what a stream produced; complete lines are written at once, a trailing partial
    /// line waits for the rest (or for `flush`).
    func append(_ bytes: ArraySlice<UInt8>, stream: String) {
        lock.lock()
        defer { lock.unlock() }
        var pending = partial[stream, default: []]
        pending.append(contentsOf: bytes)
        var start = 0
        while let nl = pending[start...].firstIndex(of: UInt8(ascii: "\n")) {
            writeLine(pending[start..<nl], stream: stream, tag: "F")
            start = nl + 1
        }
        var rest = Array(pending[start...])
        while rest.count > Self.maxLine {
            writeLine(rest[0..<Self.maxLine], stream: stream, tag: "P")
            rest.removeFirst(Self.maxLine)
        }
        partial[stream] = rest
    }

    /// Writes any unterminated line (the stream ended).
    func flush(stream: String) {
        lock.lock()
        defer { lock.unlock() }
        if let rest = partial[stream], !rest.isEmpty { writeLine(rest[...], stream: stream, tag: "F") }
        partial[stream] = []
    }

    private func writeLine(_ text: ArraySlice<UInt8>, stream: String, tag: String) {
        var line = Array("\(Timestamp.now()) \(stream) \(tag) ".utf8)
        line.append(contentsOf: text)
        line.append(UInt8(ascii: "\n"))
        if size + line.count > maxBytes { rotate() }
        line.withUnsafeBytes { _ = write(fd, $0.baseAddress, $0.count) }
        size += line.count
    }

    private func rotate() {
        close(fd)
        rename(path, path + ".1")
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0o640)
        size = 0
    }
}
