/// What ForegroundLoop watches: a container's init or an exec'd process.
public protocol WatchedProcess: AnyObject {
    /// Readable once the process has exited (its pidfd).
    var exitFD: Int32 { get }
    /// The pty's controlling end, when the process has a terminal.
    var consoleFD: Int32? { get }
    /// Passes on a signal the runtime received.
    func forward(_ signal: Int32)
    func exitStatus(block: Bool) -> ExitStatus?
}

extension Container: WatchedProcess {
    /// A container that has exited already cannot be signalled; the loop sees its exit next.
    public func forward(_ signal: Int32) { try? self.signal(signal) }
}

extension ExecProcess: WatchedProcess {
    public func forward(_ signal: Int32) { self.signal(signal) }
}
