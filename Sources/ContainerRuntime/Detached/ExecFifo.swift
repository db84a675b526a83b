#if canImport(Glibc)
import Glibc
#endif

/// runc's exec fifo, `<root>/<id>/exec.fifo`: the gate between `create` and `start`.
///
/// `create` makes it and hands the init an O_RDWR fd of it (opening read-write never blocks, and
/// the init's fd counts as a reader for as long as the init lives). The init, fully set up,
/// blocks reading one byte from it. `start` opens it write-only and non-blocking, which fails
/// with ENXIO when no reader is left (the init died), writes the byte, and removes the file, so
/// its existence is what `state` reports as "created".
public enum ExecFifo {
    /// Creates the fifo and returns the fd for the init (close-on-exec: gone once it execs).
    public static func make(at path: String) throws(RuntimeError) -> FileDescriptor {
        if mkfifo(path, 0o622) != 0 { throw .system(step: "creating the exec fifo \(path)", errno: .current) }
        let fd = open(path, O_RDWR | O_CLOEXEC)
        if fd < 0 {
            let e = Errno.current
            unlink(path)
            throw .system(step: "opening the exec fifo \(path)", errno: e)
        }
        return FileDescriptor(adopting: fd)
    }

    /// Lets the waiting init exec its program.
    public static func release(at path: String) throws(RuntimeError) {
        let fd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC)
        if fd < 0 {
            if errno == ENXIO { throw .state("the container's init exited before it was started") }
            if errno == ENOENT { throw .state("the container was started already") }
            throw .system(step: "opening the exec fifo \(path)", errno: .current)
        }
        defer { close(fd) }
        var byte: UInt8 = 0x30
        var n: Int
        repeat { n = write(fd, &byte, 1) } while n < 0 && errno == EINTR
        if n != 1 {
            throw .system(step: "writing to the exec fifo \(path)", errno: .current)
        }
        unlink(path)
    }
}
