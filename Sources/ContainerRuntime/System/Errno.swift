#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// An errno value with its text, for error sentences ("... failed: Permission denied").
public struct Errno: Error, Equatable, Sendable, CustomStringConvertible {
    public let rawValue: Int32
    public init(_ rawValue: Int32) { self.rawValue = rawValue }
    /// The current thread's errno.
    public static var current: Errno { Errno(errno) }
    public var description: String { String(cString: strerror(rawValue)) }
}

/// Turns a C core result (value >= 0, or -errno) into a Swift value or a thrown Errno.
@inline(__always)
func check(_ result: Int32) throws(Errno) -> Int32 {
    if result < 0 { throw Errno(-result) }
    return result
}

/// Retries a libc call that sets errno on EINTR; returns its result or throws its errno.
@inline(__always)
func retryingEINTR<T: BinaryInteger>(_ body: () -> T) throws(Errno) -> T {
    while true {
        let r = body()
        if r >= 0 { return r }
        if errno != EINTR { throw Errno.current }
    }
}
