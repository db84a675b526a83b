#if canImport(Glibc)
import Glibc
#endif

/// Small file helpers on Glibc (the runtime avoids Foundation to keep start-up cheap).
public enum Files {
    static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    public static func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    /// realpath(3): the canonical absolute path, every symlink resolved.
    public static func realPath(_ path: String) throws(Errno) -> String {
        guard let p = realpath(path, nil) else { throw Errno.current }
        defer { free(p) }
        return String(cString: p)
    }

    static func currentDirectory() -> String {
        var buf = [CChar](repeating: 0, count: 4096)
        guard getcwd(&buf, buf.count) != nil else { return "/" }
        return String(cString: buf)
    }

    /// An absolute form of `path`, relative paths taken from `base` (the cwd by default).
    public static func absolute(_ path: String, base: String? = nil) -> String {
        if path.hasPrefix("/") { return path }
        let b = base ?? currentDirectory()
        return b.hasSuffix("/") ? b + path : b + "/" + path
    }

    public static func readText(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var out: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = read(fd, &buf, buf.count)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            out.append(contentsOf: buf[0..<n])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
