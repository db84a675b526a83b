#if canImport(Glibc)
import Glibc
#endif

/// An owned file descriptor: closed exactly once, when its owner is done with it.
public struct FileDescriptor: ~Copyable {
    public let rawValue: Int32

    public init(adopting rawValue: Int32) { self.rawValue = rawValue }

    /// Gives up ownership without closing.
    public consuming func release() -> Int32 {
        let fd = rawValue
        discard self
        return fd
    }

    deinit { _ = Glibc.close(rawValue) }
}

/// A set of raw descriptors closed together (fds handed to a child for the length of a spawn).
final class DescriptorSet {
    private(set) var fds: [Int32] = []
    func adopt(_ fd: Int32) { fds.append(fd) }
    deinit { for fd in fds { _ = Glibc.close(fd) } }
}
