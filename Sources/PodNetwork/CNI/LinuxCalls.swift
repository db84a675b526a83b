import Glibc

/// glibc functions that Swift's Glibc module hides behind _GNU_SOURCE. PodNetwork depends on no C
/// target, so they are looked up by name (each once per call: no global state).
enum LinuxCalls {
    static let cloneNewNet: Int32 = 0x4000_0000   // CLONE_NEWNET

    /// setns(2); -1 with errno set, or ENOSYS when the symbol is missing.
    static func setns(_ fd: Int32, _ nstype: Int32) -> Int32 {
        typealias Function = @convention(c) (Int32, Int32) -> Int32
        guard let symbol = dlsym(nil, "setns") else { errno = ENOSYS; return -1 }
        return unsafeBitCast(symbol, to: Function.self)(fd, nstype)
    }

    /// pipe2(fds, O_CLOEXEC): both ends close-on-exec from the start, so a child that another
    /// thread spawns at the same moment cannot inherit them (and keep a plugin's stdout open).
    static func cloexecPipe() -> (read: Int32, write: Int32)? {
        typealias Function = @convention(c) (UnsafeMutablePointer<Int32>, Int32) -> Int32
        guard let symbol = dlsym(nil, "pipe2") else { return nil }
        var fds: [Int32] = [-1, -1]
        guard unsafeBitCast(symbol, to: Function.self)(&fds, O_CLOEXEC) == 0 else { return nil }
        return (fds[0], fds[1])
    }

    /// posix_spawn_file_actions_addclosefrom_np (glibc ≥ 2.34); false when unavailable, and then
    /// only close-on-exec keeps other descriptors from the child.
    static func addCloseFrom(_ actions: inout posix_spawn_file_actions_t, _ low: Int32) -> Bool {
        typealias Function = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
        guard let symbol = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np") else { return false }
        return unsafeBitCast(symbol, to: Function.self)(&actions, low) == 0
    }
}
