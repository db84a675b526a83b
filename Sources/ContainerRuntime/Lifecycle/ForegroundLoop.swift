import CShims
#if canImport(Glibc)
import Glibc
#endif

/// Runs a container or an exec'd process in the foreground of a command-line tool until it exits:
/// forwards every signal the tool gets (like runc's signal proxy and `kubectl exec`), keeps the
/// pty's window size in step, and copies the pty to and from the terminal when the process has
/// one. Shared by `swiftlet exec` and `swiftlet-runtime run`/`exec`.
public enum ForegroundLoop {
    /// Blocks every signal and returns a signalfd that receives them, for `run` to pass on.
    /// Done before the process starts: a Ctrl-C then reaches it instead of killing the tool
    /// half-way and leaving the process behind.
    public static func takeOverSignals() throws(RuntimeError) -> Int32 {
        var saved = sigset_t()
        _ = sl_signals_block_all(&saved)
        let fd = sl_signalfd_all()
        guard fd >= 0 else { throw RuntimeError.system(step: "creating a signalfd", errno: Errno(-fd)) }
        return fd
    }

    /// Returns the process's exit status. The caller has blocked all signals (`takeOverSignals`).
    /// - Parameter forwardInput: copy our stdin to the pty; without it the process gets no input
    ///   through the pty (`swiftlet exec` without `-i`).
    public static func run(_ process: WatchedProcess, signalFD: Int32, forwardInput: Bool) -> ExitStatus {
        var savedTerminal = [UInt8](repeating: 0, count: 128)
        var rawMode = false
        if let console = process.consoleFD, isatty(0) == 1 {
            rawMode = sl_tty_make_raw(0, &savedTerminal) == 0
            _ = sl_tty_copy_winsize(0, console)
        }
        defer { if rawMode { _ = sl_tty_restore(0, &savedTerminal) } }

        var consoleOpen = process.consoleFD != nil
        var stdinOpen = forwardInput
        while true {
            var fds = [pollfd(fd: signalFD, events: Int16(POLLIN), revents: 0),
                       pollfd(fd: process.exitFD, events: Int16(POLLIN), revents: 0)]
            if consoleOpen, let console = process.consoleFD {
                fds.append(pollfd(fd: console, events: Int16(POLLIN), revents: 0))
                if stdinOpen { fds.append(pollfd(fd: 0, events: Int16(POLLIN), revents: 0)) }
            }
            let n = poll(&fds, nfds_t(fds.count), -1)
            if n < 0 {
                if errno == EINTR { continue }
                break
            }
            if fds[0].revents != 0 { drainSignals(signalFD, process) }
            if fds.count > 2, let console = process.consoleFD {
                if fds[2].revents != 0 && !copy(from: console, to: 1) { consoleOpen = false }
                if fds.count > 3 && fds[3].revents != 0 && !copy(from: 0, to: console) { stdinOpen = false }
            }
            if fds[1].revents != 0 {
                // Flush what the program wrote just before exiting.
                if consoleOpen, let console = process.consoleFD {
                    var pfd = pollfd(fd: console, events: Int16(POLLIN), revents: 0)
                    while poll(&pfd, 1, 0) > 0 && pfd.revents & Int16(POLLIN) != 0 && copy(from: console, to: 1) {}
                }
                break
            }
        }
        while true { if let status = process.exitStatus(block: true) { return status } }
    }

    private static func drainSignals(_ fd: Int32, _ process: WatchedProcess) {
        while true {
            let signal = sl_signalfd_read(fd)
            if signal <= 0 { return }
            switch signal {
            case SIGCHLD: continue   // the exit is watched through the pidfd
            case SIGWINCH: if let console = process.consoleFD { _ = sl_tty_copy_winsize(0, console) }
            default: process.forward(signal)
            }
        }
    }

    /// Copies one chunk; false at end of file or on an error.
    private static func copy(from source: Int32, to target: Int32) -> Bool {
        var buffer = [UInt8](repeating: 0, count: 16384)
        let n = buffer.withUnsafeMutableBytes { read(source, $0.baseAddress, $0.count) }
        if n < 0 && (errno == EINTR || errno == EAGAIN) { return true }
        if n <= 0 { return false }
        var offset = 0
        while offset < n {
            let written = buffer.withUnsafeBytes { write(target, $0.baseAddress.map { $0 + offset }, n - offset) }
            if written < 0 {
                if errno == EINTR { continue }
                return false
            }
            offset += written
        }
        return true
    }
}
