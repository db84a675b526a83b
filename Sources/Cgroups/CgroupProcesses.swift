import Glibc

/// The processes of a container cgroup: listing, signalling, freezing, waiting for them to go.
extension Cgroup {
    /// Every process in the cgroup and in cgroups below it (a container may nest its own), in any
    /// hierarchy. Empty when the cgroup is gone.
    public func pids() throws(CgroupError) -> [pid_t] {
        var found = Set<pid_t>()
        for dir in paths.allDirectories {
            try collectPids(in: dir, into: &found)
        }
        return found.sorted()
    }

    private func collectPids(in dir: String, into found: inout Set<pid_t>) throws(CgroupError) {
        guard let text = try CgroupFS.readIfPresent(CgroupFS.join(dir, "cgroup.procs")) else { return }
        for line in text.split(separator: "\n") {
            if let pid = pid_t(line) { found.insert(pid) }
        }
        for child in CgroupFS.subdirectories(dir) {
            try collectPids(in: CgroupFS.join(dir, child), into: &found)
        }
    }

    /// Sends `signal` to every process. SIGKILL goes through v2 cgroup.kill when the kernel has it
    /// (atomic, no pid races, covers nested cgroups). Otherwise the cgroup is frozen so nothing can
    /// fork or recycle a pid while pids are listed and signalled, then thawed (unless it was paused
    /// already and the signal is not SIGKILL: a paused container stays paused).
    public func kill(signal: Int32) throws(CgroupError) {
        if signal == SIGKILL, let v2 = paths.v2 {
            let killFile = CgroupFS.join(v2, "cgroup.kill")
            if CgroupFS.exists(killFile) {
                let e = CgroupFS.writeErrno("1", to: killFile)
                if e == 0 || e == ENOENT { return }
                throw .write(file: "cgroup.kill", value: "1", dir: v2, errno: e)
            }
        }
        let wasFrozen = isFrozen()
        // Best effort: without a freezer (v1 host without it) signal anyway.
        if !wasFrozen { try? setFrozen(true) }
        defer {
            if !wasFrozen || signal == SIGKILL { try? setFrozen(false) }
        }
        for pid in try pids() {
            _ = Glibc.kill(pid, signal)   // ESRCH: it exited meanwhile
        }
    }

    /// Freezes (pauses) or thaws every process: v2 cgroup.freeze, else v1 freezer.state.
    /// Freezing waits until the kernel reports the cgroup frozen.
    public func setFrozen(_ frozen: Bool) throws(CgroupError) {
        if let v2 = paths.v2 {
            try CgroupFS.write(frozen ? "1" : "0", to: "cgroup.freeze", in: v2)
            if frozen {
                try waitForEvent("frozen", toBe: 1, in: v2, timeoutMs: 2000, failure: "cgroup.freeze")
            }
        } else if let freezer = paths.v1["freezer"] {
            try setV1Frozen(frozen, in: freezer)
        } else {
            throw .controllerMissing(controller: "freezer", needed: "pausing a container")
        }
    }

    /// v1 tasks pass through FREEZING; the write is repeated, as runc does, since a task that
    /// forks while freezing can leave the cgroup stuck there.
    private func setV1Frozen(_ frozen: Bool, in dir: String) throws(CgroupError) {
        let state = frozen ? "FROZEN" : "THAWED"
        let deadline = CgroupFS.monotonicMs() + 2000
        while true {
            try CgroupFS.write(state, to: "freezer.state", in: dir)
            let now = try CgroupFS.read(CgroupFS.join(dir, "freezer.state")).filter { !$0.isWhitespace }
            if now == state { return }
            if CgroupFS.monotonicMs() >= deadline {
                throw .write(file: "freezer.state", value: state, dir: dir, errno: EBUSY)
            }
            CgroupFS.sleepMs(1)
        }
    }

    /// Whether the cgroup is frozen now (paused).
    public func isFrozen() -> Bool {
        if let v2 = paths.v2 {
            let events = (try? CgroupFS.readIfPresent(CgroupFS.join(v2, "cgroup.events"))) ?? nil
            return events.flatMap { CgroupFS.keyedValue("frozen", in: $0) } == 1
        }
        if let freezer = paths.v1["freezer"] {
            let state = (try? CgroupFS.readIfPresent(CgroupFS.join(freezer, "freezer.state"))) ?? nil
            return state?.hasPrefix("FROZEN") == true
        }
        return false
    }

    /// Waits until no process is left (zombies awaiting their parent's wait do not count).
    /// Returns false on timeout. v2: cgroup.events "populated", woken by POLLPRI; v1-only hosts
    /// have no such notification, so cgroup.procs is polled.
    public func waitUntilEmpty(timeoutMs: Int) throws(CgroupError) -> Bool {
        if let v2 = paths.v2 {
            do throws(CgroupError) {
                try waitForEvent("populated", toBe: 0, in: v2, timeoutMs: timeoutMs, failure: nil)
                return true
            } catch {
                if error.errno == ETIMEDOUT { return false }
                throw error
            }
        }
        let deadline = CgroupFS.monotonicMs() + Int64(timeoutMs)
        while true {
            if try pids().isEmpty { return true }
            if CgroupFS.monotonicMs() >= deadline { return false }
            CgroupFS.sleepMs(5)
        }
    }

    /// Waits for `key value` in cgroup.events. The kernel raises POLLPRI on the open file whenever
    /// it changes; reading re-arms it, so read-then-poll misses nothing. A cgroup that is gone
    /// counts as reached (nothing is populated or running there). On timeout throws ETIMEDOUT,
    /// as a write error of `failure` when given.
    private func waitForEvent(
        _ key: String, toBe value: UInt64, in dir: String, timeoutMs: Int, failure: String?
    ) throws(CgroupError) {
        let path = CgroupFS.join(dir, "cgroup.events")
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            let e = errno
            if e == ENOENT { return }
            throw .open(path: path, errno: e)
        }
        defer { close(fd) }
        let deadline = CgroupFS.monotonicMs() + Int64(timeoutMs)
        while true {
            let text: String
            do throws(CgroupError) {
                text = try CgroupFS.readAll(fd: fd, path: path)
            } catch {
                if error.errno == ENODEV || error.errno == ENOENT { return }   // removed meanwhile
                throw error
            }
            if CgroupFS.keyedValue(key, in: text) == value { return }
            let remaining = deadline - CgroupFS.monotonicMs()
            if remaining <= 0 {
                if let failure { throw .write(file: failure, value: "1", dir: dir, errno: ETIMEDOUT) }
                throw .read(path: path, errno: ETIMEDOUT)
            }
            var pfd = pollfd(fd: fd, events: Int16(POLLPRI), revents: 0)
            if poll(&pfd, 1, Int32(min(remaining, Int64(Int32.max)))) < 0 && errno != EINTR {
                throw .read(path: path, errno: errno)
            }
        }
    }
}
