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
        return String(decoding: buf.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// An absolute, lexically clean form of `path` ("." and ".." folded, no repeated or trailing
    /// slash), relative paths taken from `base` (the cwd by default). Symlinks are not resolved.
    public static func absolute(_ path: String, base: String? = nil) -> String {
        let full = path.hasPrefix("/") ? path : (base ?? currentDirectory()) + "/" + path
        var parts: [Substring] = []
        for part in full.split(separator: "/") {
            switch part {
            case ".": continue
            case "..": _ = parts.popLast()
            default: parts.append(part)
            }
        }
        return "/" + parts.joined(separator: "/")
    }

    /// A whole (small) file as UTF-8 text, or nil if it cannot be read.
    public static func readText(_ path: String) -> String? {
        guard let bytes = try? JSONFile.read(path) else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }
}
