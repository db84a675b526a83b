import CShims
import Glibc

/// A container that loses any process to the OOM killer dies whole, as under the kubelet on
/// cgroup v2 (memory.oom.group=1 since 1.28, unless singleProcessOOMKill). On v2 the kernel does
/// it; on a v1 memory controller it has no such switch, so the caller watches the OOM events and
/// kills the cgroup itself once the kill counter rose.
extension Cgroup {
    /// The v2 cgroup has the memory controller, so `memory.oom.group` can be set.
    public var hasV2OOMGroup: Bool {
        guard paths.usesV2Resources, let v2 = paths.v2 else { return false }
        return CgroupFS.exists(CgroupFS.join(v2, "memory.oom.group"))
    }

    /// v1 memory controller: an eventfd the kernel signals whenever the cgroup goes out of memory
    /// (cgroup.event_control on memory.oom_control, the notification runc and Docker used on v1),
    /// and once more when the cgroup is removed. Nil when the cgroup has no v1 memory directory.
    /// Non-blocking and close-on-exec; the caller closes it.
    public func openV1OOMEvents() throws(CgroupError) -> Int32? {
        guard let memory = paths.v1["memory"] else { return nil }
        let control = CgroupFS.join(memory, "memory.oom_control")
        let oomFD = open(control, O_RDONLY | O_CLOEXEC)
        if oomFD < 0 { throw .open(path: control, errno: errno) }
        defer { close(oomFD) }
        let eventFD = sl_eventfd()
        if eventFD < 0 { throw .open(path: "eventfd", errno: -eventFD) }
        let e = CgroupFS.writeErrno("\(eventFD) \(oomFD)", to: CgroupFS.join(memory, "cgroup.event_control"))
        if e != 0 {
            close(eventFD)
            throw .write(file: "cgroup.event_control", value: "\(eventFD) \(oomFD)", dir: memory, errno: e)
        }
        return eventFD
    }

    /// After an OOM event: when the kill counter is above `seen`, SIGKILL for every process of the
    /// cgroup (what memory.oom.group does on v2). True when it killed. The notification comes as
    /// the OOM starts, before the victim is chosen, so a caller that finds no kill yet looks again
    /// shortly; an OOM that killed nothing (memory was freed meanwhile) kills nothing here either.
    public func killAllIfOOMKilled(since seen: UInt64) -> Bool {
        guard oomKillCount() > seen else { return false }
        try? kill(signal: SIGKILL)
        return true
    }

    /// Empties a non-blocking eventfd's counter (so a level-triggered poll stops reporting it).
    public static func drainEventFD(_ fd: Int32) {
        var value: UInt64 = 0
        _ = read(fd, &value, 8)
    }
}
