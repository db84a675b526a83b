#if canImport(Glibc)
import Glibc
#endif
import CShims
import Cgroups

/// The parent's side of the spawn protocol (CShims/spawn.c): the CLOEXEC error pipe the child
/// reports on, and for a terminal the socket the pty master arrives on, with the cgroup fds the
/// child needs. Everything is closed when this goes away; the child's ends are closed right
/// after the clone, so that EOF on the pipe means execve.
final class SpawnChannels {
    let fds = DescriptorSet()
    let errorRead: Int32
    private(set) var errorWrite: Int32
    let consoleParent: Int32
    private(set) var consoleChild: Int32
    let cgroupFD: Int32
    let joinFDs: [Int32]
    /// A terminal whose master comes back to us (no console socket of the caller's).
    let receivesConsole: Bool
    /// The caller's console socket (`--console-socket`), where the child sends the master instead.
    private let callerConsole: Int32?

    /// `consoleSocket`: the caller's, if any; else, for a terminal, a socketpair of ours.
    init(terminal: Bool, consoleSocket: Int32? = nil, cgroup: Cgroup) throws(RuntimeError) {
        receivesConsole = terminal && consoleSocket == nil
        callerConsole = consoleSocket
        (cgroupFD, joinFDs) = try CgroupFDs.open(cgroup, into: fds)
        var pipe: [Int32] = [-1, -1]
        guard sl_pipe_cloexec(&pipe) == 0 else { throw .system(step: "creating the start-up pipe", errno: .current) }
        errorRead = pipe[0]
        errorWrite = pipe[1]
        var sock: [Int32] = [-1, -1]
        if receivesConsole {
            let r = sl_socketpair_cloexec(&sock)
            if r < 0 {
                close(pipe[0])
                close(pipe[1])
                throw .system(step: "creating the console socket", errno: Errno(-r))
            }
        }
        consoleParent = sock[0]
        consoleChild = sock[1]
    }

    deinit {
        for fd in [errorRead, errorWrite, consoleParent, consoleChild] where fd >= 0 { close(fd) }
    }

    /// The socket the child sends the pty master over, or -1.
    var consoleForChild: Int32 { callerConsole ?? consoleChild }

    /// After the clone: only the child may hold the write ends now.
    func closeChildEnds() {
        if errorWrite >= 0 { close(errorWrite) }
        if consoleChild >= 0 { close(consoleChild) }
        errorWrite = -1
        consoleChild = -1
    }

    /// The child's report, read to EOF.
    func readReport() throws(RuntimeError) -> ChildReport.Outcome {
        try ChildReport.read(from: errorRead)
    }

    /// The pty master the child sent (terminal only).
    func receiveConsole() throws(RuntimeError) -> Int32 {
        let fd = sl_recv_fd(consoleParent)
        if fd < 0 { throw .system(step: "receiving the container's console", errno: Errno(-fd)) }
        return fd
    }
}

/// The cgroup fds a child needs: the v2 directory for CLONE_INTO_CGROUP and the v1 cgroup.procs
/// files it joins by writing. A failure to open any of them is an error: a container started
/// without them would run outside its limits.
enum CgroupFDs {
    static func open(_ cgroup: Cgroup, into fds: DescriptorSet) throws(RuntimeError) -> (v2: Int32, joins: [Int32]) {
        do {
            let v2 = try cgroup.openV2Directory()
            if v2 >= 0 { fds.adopt(v2) }
            let joins = try cgroup.openJoinFiles()
            for fd in joins { fds.adopt(fd) }
            return (v2, joins)
        } catch { throw .cgroup("\(error)") }
    }
}
