#if canImport(Glibc)
import Glibc
#endif
import CShims

/// The pipe an init waits on before pivot_root while `create` runs its createRuntime and
/// createContainer hooks: one byte lets it go on; EOF (we died or gave up) makes it exit.
final class HooksGate {
    let enabled: Bool
    private(set) var childEnd: Int32 = -1
    private var parentEnd: Int32 = -1

    init(enabled: Bool) throws(RuntimeError) {
        self.enabled = enabled
        guard enabled else { return }
        var fds: [Int32] = [-1, -1]
        guard sl_pipe_cloexec(&fds) == 0 else { throw .system(step: "creating the hooks pipe", errno: .current) }
        childEnd = fds[0]
        parentEnd = fds[1]
    }

    func closeChildEnd() {
        if childEnd >= 0 { close(childEnd) }
        childEnd = -1
    }

    /// Lets the init go on to pivot_root.
    func open() {
        guard parentEnd >= 0 else { return }
        var byte: UInt8 = 1
        _ = write(parentEnd, &byte, 1)
        close(parentEnd)
        parentEnd = -1
    }

    deinit {
        closeChildEnd()
        if parentEnd >= 0 { close(parentEnd) }
    }
}
