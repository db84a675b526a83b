import Glibc

/// End of life: OOM accounting and removal.
extension Cgroup {
    /// How many processes the kernel's OOM killer has killed in the cgroup: v1 memory.oom_control
    /// or v2 memory.events, "oom_kill" line. 0 when there is no memory controller or no cgroup.
    public func oomKillCount() -> UInt64 {
        let file: String
        if let memory = paths.v1["memory"] {
            file = CgroupFS.join(memory, "memory.oom_control")
        } else if let v2 = paths.v2 {
            file = CgroupFS.join(v2, "memory.events")
        } else {
            return 0
        }
        guard let text = (try? CgroupFS.readIfPresent(file)) ?? nil else { return 0 }
        return CgroupFS.keyedValue("oom_kill", in: text) ?? 0
    }

    /// Kills everything, waits for it to go, and removes the cgroup (and any cgroups a container
    /// made below it) from every hierarchy; then removes the shared `swiftlet` parent if this was
    /// its last cgroup. Idempotent: what is already gone is fine.
    public func destroy() throws(CgroupError) {
        for dir in paths.allDirectories {
            try Cgroup.checkOwned(dir)
        }
        try? kill(signal: SIGKILL)
        _ = try? waitUntilEmpty(timeoutMs: 5000)

        var failure: CgroupError?
        for dir in paths.allDirectories {
            do throws(CgroupError) {
                try Cgroup.removeTree(dir)
            } catch {
                failure = failure ?? error
            }
        }
        for dir in paths.allDirectories {
            // Fails (ENOTEMPTY / EBUSY) while other containers use it: that is the point.
            rmdir(Cgroup.parentDirectory(of: dir))
        }
        if let failure { throw failure }
    }

    /// Paths come back from a state file: refuse to remove anything that is not `swiftlet/<name>`.
    static func checkOwned(_ dir: String) throws(CgroupError) {
        let components = dir.split(separator: "/")
        guard components.count >= 2, components[components.count - 2] == CgroupName.parent else {
            throw .invalidName(dir, reason: "a container cgroup must be directly under \(CgroupName.parent)/")
        }
    }

    static func parentDirectory(of dir: String) -> String {
        guard let slash = dir.lastIndex(of: "/"), slash != dir.startIndex else { return "/" }
        return String(dir[..<slash])
    }

    /// rmdir children first. EBUSY right after the last task exits is transient (the kernel is
    /// still releasing it), so retry with a short backoff.
    static func removeTree(_ dir: String) throws(CgroupError) {
        for child in CgroupFS.subdirectories(dir) {
            try removeTree(CgroupFS.join(dir, child))
        }
        var delay = 5
        for attempt in 0..<10 {
            if rmdir(dir) == 0 { return }
            let e = errno
            if e == ENOENT { return }
            if e != EBUSY || attempt == 9 { throw .remove(path: dir, errno: e) }
            CgroupFS.sleepMs(delay)
            delay = min(delay * 2, 100)
        }
    }
}
