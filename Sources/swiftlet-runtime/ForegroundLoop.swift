import CShims
import ContainerRuntime
#if canImport(Glibc)
import Glibc
#endif

/// What the foreground loop watches: a container's init or an exec'd process.
protocol Watched: AnyObject {
    var exitFD: Int32 { get }
    var consoleFD: Int32? { get }
    func forward(_ signal: Int32)
    func exitStatus(block: Bool) -> ExitStatus?
}

extension Container: Watched {
    func forward(_ signal: Int32) { try? self.signal(signal) }
}

extension ExecProcess: Watched {
    func forward(_ signal: Int32) { self.signal(signal) }
}

/// Runs until the watched process exits: forwards every signal the runtime gets (like runc's
/// signal proxy), keeps the pty's window size in step, and copies stdio to and from the pty
/// when the process has a terminal. The caller has blocked all signals already.
enum ForegroundLoop {
    static func run(_ p: Watched, signalFD: Int32) -> ExitStatus {
        var saved = [UInt8](repeating: 0, count: 128)
        let stdinIsTTY = isatty(0) == 1
        var rawMode = false
        var stdinOpen = true
        if let console = p.consoleFD {
            if stdinIsTTY {
                rawMode = sl_tty_make_raw(0, &saved) == 0
                _ = sl_tty_copy_winsize(0, console)
            }
        }
        defer { if rawMode { _ = sl_tty_restore(0, &saved) } }

        var consoleOpen = p.consoleFD != nil
        while true {
            var fds = [pollfd(fd: signalFD, events: Int16(POLLIN), revents: 0),
                       pollfd(fd: p.exitFD, events: Int16(POLLIN), revents: 0)]
            if consoleOpen, let c = p.consoleFD {
                fds.append(pollfd(fd: c, events: Int16(POLLIN), revents: 0))
                if stdinOpen { fds.append(pollfd(fd: 0, events: Int16(POLLIN), revents: 0)) }
            }
            let n = poll(&fds, nfds_t(fds.count), -1)
            if n < 0 { if errno == EINTR { continue }; break }
            if fds[0].revents != 0 { drainSignals(signalFD, p) }
            if fds.count > 2, let c = p.consoleFD {
                if fds[2].revents != 0 && !copy(from: c, to: 1) { consoleOpen = false }
                if fds.count > 3 && fds[3].revents != 0 && !copy(from: 0, to: c) { stdinOpen = false }
            }
            if fds[1].revents != 0 {
                // Flush what the program wrote just before exiting.
                if consoleOpen, let c = p.consoleFD {
                    var pfd = pollfd(fd: c, events: Int16(POLLIN), revents: 0)
                    while poll(&pfd, 1, 0) > 0 && pfd.revents & Int16(POLLIN) != 0 && copy(from: c, to: 1) {}
                }
                break
            }
        }
        while true { if let s = p.exitStatus(block: true) { return s } }
    }

    private static func drainSignals(_ fd: Int32, _ p: Watched) {
        while true {
            let sig = sl_signalfd_read(fd)
            if sig <= 0 { return }
            switch sig {
            case SIGCHLD: continue   // reaping goes through the pidfd
            case SIGWINCH: if let c = p.consoleFD { _ = sl_tty_copy_winsize(0, c) }
            default: p.forward(sig)
            }
        }
    }

    /// Copies one chunk; false at EOF or error.
    private static func copy(from: Int32, to: Int32) -> Bool {
        var buf = [UInt8](repeating: 0, count: 16384)
        let n = buf.withUnsafeMutableBytes { read(from, $0.baseAddress, $0.count) }
        if n < 0 && (errno == EINTR || errno == EAGAIN) { return true }
        if n <= 0 { return false }
        var off = 0
        while off < n {
            let w = buf.withUnsafeMutableBytes { write(to, $0.baseAddress! + off, n - off) }
            if w < 0 { if errno == EINTR { continue }; return false }
            off += w
        }
        return true
    }
}
