import Glibc

/// Raw file operations on cgroupfs (and /proc), with errors that name the path.
/// cgroupfs files must be written with a single write(2): the kernel parses each write on its own.
enum CgroupFS {
    static func join(_ dir: String, _ name: String) -> String {
        dir.hasSuffix("/") ? dir + name : dir + "/" + name
    }

    /// Whole-file read; nil when the file does not exist.
    static func readIfPresent(_ path: String) throws(CgroupError) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            let e = errno
            if e == ENOENT { return nil }
            throw .read(path: path, errno: e)
        }
        defer { close(fd) }
        return try readAll(fd: fd, path: path)
    }

    static func read(_ path: String) throws(CgroupError) -> String {
        guard let text = try readIfPresent(path) else { throw .read(path: path, errno: ENOENT) }
        return text
    }

    /// Reads from offset 0 to EOF (seeking first, so the same fd can be re-read after a poll).
    static func readAll(fd: Int32, path: String) throws(CgroupError) -> String {
        if lseek(fd, 0, SEEK_SET) < 0 { throw .read(path: path, errno: errno) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw .read(path: path, errno: errno)
            }
            if n == 0 { break }
            bytes.append(contentsOf: chunk[0..<n])
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Writes `value` to `dir/file` in one write(2).
    static func write(_ value: String, to file: String, in dir: String) throws(CgroupError) {
        let e = writeErrno(value, to: join(dir, file))
        if e != 0 { throw .write(file: file, value: value, dir: dir, errno: e) }
    }

    /// Returns 0 or the errno of the open/write.
    static func writeErrno(_ value: String, to path: String) -> Int32 {
        let fd = open(path, O_WRONLY | O_CLOEXEC)
        if fd < 0 { return errno }
        defer { close(fd) }
        var bytes = Array(value.utf8)
        if bytes.isEmpty { bytes = [0x0a] }   // an empty write is a no-op; the kernel wants a line
        while true {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n < 0 { return errno }
            return n == bytes.count ? 0 : EIO
        }
    }

    static func exists(_ path: String) -> Bool {
        access(path, F_OK) == 0
    }

    /// mkdir; returns 0 or errno (EEXIST included: callers decide).
    static func makeDirectory(_ path: String) -> Int32 {
        mkdir(path, 0o755) == 0 ? 0 : errno
    }

    /// Names of the subdirectories of `path` (child cgroups); empty when it is gone.
    static func subdirectories(_ path: String) -> [String] {
        guard let dir = opendir(path) else { return [] }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            guard entry.pointee.d_type == UInt8(DT_DIR) else { continue }
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// "key value" lines (cgroup.events, memory.events, memory.oom_control, pids.events).
    static func keyedValue(_ key: String, in text: String) -> UInt64? {
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: " ")
            if fields.count == 2 && fields[0] == key { return UInt64(fields[1]) }
        }
        return nil
    }

    static func monotonicMs() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
    }

    static func sleepMs(_ ms: Int) {
        var request = timespec(tv_sec: ms / 1000, tv_nsec: (ms % 1000) * 1_000_000)
        var remaining = timespec()
        while nanosleep(&request, &remaining) != 0 && errno == EINTR { request = remaining }
    }
}
