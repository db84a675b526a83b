#if canImport(Glibc)
import Glibc
#endif

/// The caller's end of runc's console protocol: `--console-socket PATH` names a listening
/// AF_UNIX stream socket; we connect, and the container's set-up sends the pty master over it
/// (one message, one SCM_RIGHTS fd) from inside the container once devpts is mounted.
public enum ConsoleSocket {
    /// Returns the connected socket; the caller closes it once the container has been set up.
    public static func connect(path: String) throws(RuntimeError) -> Int32 {
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        let capacity = MemoryLayout.size(ofValue: addr.sun_path)
        // sun_path is short (108 bytes): a long path is an error, not a silent truncation.
        guard bytes.count < capacity else {
            throw .state("--console-socket \(path): the path is longer than \(capacity - 1) bytes")
        }
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        if fd < 0 { throw .system(step: "creating a socket for --console-socket", errno: .current) }
        let r = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        if r != 0 {
            let e = Errno.current
            close(fd)
            throw .system(step: "connecting to --console-socket \(path)", errno: e)
        }
        return fd
    }
}
