#if canImport(Glibc)
import Glibc
#endif

/// Owns the C memory a spawn plan points into (strings, arrays, structs). The child reads it
/// after clone, so it must not move or be freed until the spawn returns; freed in deinit.
final class CArena {
    private var blocks: [UnsafeMutableRawPointer] = []

    deinit { for b in blocks { free(b) } }

    func string(_ s: String) -> UnsafePointer<CChar> {
        guard let p = strdup(s) else { fatalError("out of memory") }
        blocks.append(UnsafeMutableRawPointer(p))
        return UnsafePointer(p)
    }

    func optionalString(_ s: String?) -> UnsafePointer<CChar>? { s.map { string($0) } }

    /// A NULL-terminated array of C strings (argv, envp, key/value option lists).
    func stringArray(_ items: [String?]) -> UnsafePointer<UnsafePointer<CChar>?> {
        let p = array(of: UnsafePointer<CChar>?.self, count: items.count + 1)
        for (i, s) in items.enumerated() { p[i] = s.map { string($0) } }
        p[items.count] = nil
        return UnsafePointer(p)
    }

    func array<T>(of: T.Type, count: Int) -> UnsafeMutablePointer<T> {
        let bytes = max(1, count * MemoryLayout<T>.stride)
        guard let raw = calloc(1, bytes) else { fatalError("out of memory") }
        blocks.append(raw)
        return raw.bindMemory(to: T.self, capacity: max(1, count))
    }

    func copy<T>(_ items: [T]) -> UnsafePointer<T> {
        let p = array(of: T.self, count: items.count)
        for (i, v) in items.enumerated() { (p + i).initialize(to: v) }
        return UnsafePointer(p)
    }

    func copy(bytes: UnsafeRawPointer, count: Int) -> UnsafeRawPointer {
        guard let raw = malloc(max(1, count)) else { fatalError("out of memory") }
        blocks.append(raw)
        raw.copyMemory(from: bytes, byteCount: count)
        return UnsafeRawPointer(raw)
    }
}
