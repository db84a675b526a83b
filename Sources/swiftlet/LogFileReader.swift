import Foundation

/// Reads a CRI log file as it grows. The supervisor rotates a full file once (`<n>.log` becomes
/// `<n>.log.1` and a new `<n>.log` starts): the open descriptor keeps reading the renamed file to
/// its end, then the reader moves on to the new one.
final class LogFileReader {
    let path: String
    private var fd: Int32 = -1
    private var pending: [UInt8] = []

    init(path: String) {
        self.path = path
        fd = open(path, O_RDONLY | O_CLOEXEC)
    }

    deinit { if fd >= 0 { close(fd) } }

    /// Complete lines written since the last call (a line still being written waits).
    func readLines() -> ArraySlice<UInt8> {
        if fd < 0 { fd = open(path, O_RDONLY | O_CLOEXEC) }
        guard fd >= 0 else { return [] }
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            pending += buffer[0..<n]
        }
        guard let lastNewline = pending.lastIndex(of: UInt8(ascii: "\n")) else { return [] }
        let lines = pending[...lastNewline]
        pending = Array(pending[(lastNewline + 1)...])
        return lines
    }

    /// True when `path` now names another file than the one being read (the file was rotated).
    var wasReplaced: Bool {
        guard fd >= 0 else { return false }
        var current = stat(), opened = stat()
        guard stat(path, &current) == 0, fstat(fd, &opened) == 0 else { return false }
        return current.st_ino != opened.st_ino || current.st_dev != opened.st_dev
    }

    /// After reading the old file to its end: continue with the file now at `path`.
    func reopen() {
        if fd >= 0 { close(fd) }
        pending = []
        fd = open(path, O_RDONLY | O_CLOEXEC)
    }

    /// Everything in a file at once (for a log that is not followed).
    static func contents(_ path: String) -> ArraySlice<UInt8> {
        guard let data = FileManager.default.contents(atPath: path) else { return [] }
        return ArraySlice(data)
    }
}
