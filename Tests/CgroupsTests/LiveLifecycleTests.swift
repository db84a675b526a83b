import Glibc
import Testing
@testable import Cgroups

/// Tests that create real cgroups on the host running them (this machine's hybrid layout, or the
/// pure v2 guest of Tests/v2vm). One at a time: they spawn processes and set tight limits.
@Suite(.serialized, .enabled(if: canCreateCgroups, "needs root and a mounted cgroup filesystem to create cgroups"))
struct LiveCgroups {
    @Test func createApplyDestroyLeavesNothing() throws {
        guard let layout = hostLayout else { return }
        var resources = CgroupResources(pidsLimit: .value(64))
        if hostHasController("memory") { resources.memoryLimit = .value(64 << 20) }
        let cgroup = try Cgroup.create(name: uniqueName("life"), layout: layout, resources: resources)
        let dirs = cgroup.paths.allDirectories
        #expect(!dirs.isEmpty)
        #expect(dirs.allSatisfy(CgroupFS.exists))
        #expect(dirs.allSatisfy { Cgroup.parentDirectory(of: $0).hasSuffix("/swiftlet") })
        #expect((cgroup.paths.v2 != nil) == (layout.v2Mount != nil))
        if case .hybrid = layout {
            // v1 cgroups sit under our own cgroup in each hierarchy, like runc's.
            let memory = try #require(cgroup.paths.v1["memory"])
            #expect(memory.hasPrefix(layout.v1Hierarchies["memory"]?.ownDirectory ?? "?"))
        }
        try cgroup.destroy()
        #expect(!dirs.contains(where: CgroupFS.exists))
        try cgroup.destroy()   // idempotent
    }

    @Test func reopenFromPathsAndRecreate() throws {
        guard let layout = hostLayout else { return }
        let name = uniqueName("reopen")
        let first = try Cgroup.create(name: name, layout: layout)
        defer { try? first.destroy() }
        // An empty leftover of the same name is reused...
        let again = try Cgroup.create(name: name, layout: layout)
        #expect(again.paths == first.paths)
        // ...one with a process in it is not.
        let sleeper = try Child(["/bin/sleep", "30"])
        try first.addProcess(sleeper.pid)
        #expect(throws: CgroupError.notEmpty(path: first.paths.allDirectories[0])) {
            try Cgroup.create(name: name, layout: layout)
        }
        // Another process holding only the paths can see and destroy it.
        let reopened = Cgroup(paths: first.paths)
        #expect(try reopened.pids() == [sleeper.pid])
        try reopened.destroy()
        #expect(sleeper.wait() == .signal(SIGKILL))
        #expect(!first.paths.allDirectories.contains(where: CgroupFS.exists))
    }

    @Test func killAndWaitUntilEmpty() throws {
        try withCgroup("kill") { cgroup in
            let sleepers = try (0..<3).map { _ in try Child(["/bin/sleep", "30"]) }
            for s in sleepers { try cgroup.addProcess(s.pid) }
            #expect(try cgroup.pids() == sleepers.map(\.pid).sorted())
            #expect(try cgroup.waitUntilEmpty(timeoutMs: 50) == false)

            try cgroup.kill(signal: SIGKILL)
            // Empty before anyone reaped them: zombies do not count.
            #expect(try cgroup.waitUntilEmpty(timeoutMs: 5000))
            #expect(try cgroup.pids().isEmpty)
            for s in sleepers { #expect(s.wait() == .signal(SIGKILL)) }
        }
    }

    /// A container may create cgroups below its own (nested runtimes, systemd): listing, killing
    /// and removal cover them.
    @Test func nestedCgroupsAreKilledAndRemoved() throws {
        guard let layout = hostLayout else { return }
        let cgroup = try Cgroup.create(name: uniqueName("nested"), layout: layout)
        defer { try? cgroup.destroy() }
        let inner = cgroup.paths.allDirectories.map { $0 + "/inner" }
        for dir in inner {
            #expect(mkdir(dir, 0o755) == 0)
            for file in ["cpuset.cpus", "cpuset.mems"] where cgroup.paths.v1["cpuset"].map({ dir.hasPrefix($0) }) == true {
                try CgroupFS.write(fileText(Cgroup.parentDirectory(of: dir) + "/" + file) ?? "", to: file, in: dir)
            }
        }
        let sleeper = try Child(["/bin/sleep", "30"])
        for dir in inner { try CgroupFS.write(String(sleeper.pid), to: "cgroup.procs", in: dir) }
        #expect(try cgroup.pids() == [sleeper.pid])
        try cgroup.destroy()
        #expect(sleeper.wait() == .signal(SIGKILL))
        #expect(!(inner + cgroup.paths.allDirectories).contains(where: CgroupFS.exists))
    }

    /// The v1-only code paths (no cgroup2: freezer-based kill, polled emptiness, no v2 fd), run on a
    /// hybrid host by leaving its cgroup2 tree out of the layout.
    @Test(.enabled(if: !(hostLayout?.v1Hierarchies.isEmpty ?? true), "the host has no v1 hierarchies"))
    func legacyLayoutWithoutCgroup2() throws {
        let layout = CgroupLayout.legacy(v1: hostLayout?.v1Hierarchies ?? [:])
        let cgroup = try Cgroup.create(name: uniqueName("legacy"), layout: layout,
                                       resources: CgroupResources(pidsLimit: .value(20)))
        defer { try? cgroup.destroy() }
        #expect(cgroup.paths.v2 == nil)
        #expect(try cgroup.openV2Directory() == -1)
        let sleepers = try (0..<2).map { _ in try Child(["/bin/sleep", "30"]) }
        for s in sleepers { try cgroup.addProcess(s.pid) }
        #expect(try cgroup.waitUntilEmpty(timeoutMs: 20) == false)
        try cgroup.kill(signal: SIGKILL)
        #expect(try cgroup.waitUntilEmpty(timeoutMs: 5000))
        for s in sleepers { #expect(s.wait() == .signal(SIGKILL)) }
        #expect(!cgroup.isFrozen())
        try cgroup.destroy()
        #expect(!cgroup.paths.allDirectories.contains(where: CgroupFS.exists))
    }

    /// Signals other than SIGKILL go through freeze / signal every pid / thaw.
    @Test func killWithOtherSignalFreezesAndThaws() throws {
        try withCgroup("term") { cgroup in
            let sleeper = try Child(["/bin/sleep", "30"])
            try cgroup.addProcess(sleeper.pid)
            try cgroup.kill(signal: SIGTERM)
            #expect(sleeper.wait() == .signal(SIGTERM))
            #expect(!cgroup.isFrozen())
        }
    }

    @Test func pauseAndResume() throws {
        try withCgroup("freeze") { cgroup in
            let sleeper = try Child(["/bin/sleep", "30"])
            try cgroup.addProcess(sleeper.pid)
            try cgroup.setFrozen(true)
            #expect(cgroup.isFrozen())
            // A signal to a paused container leaves it paused; SIGKILL still gets through.
            try cgroup.kill(signal: SIGCONT)
            #expect(cgroup.isFrozen())
            try cgroup.setFrozen(false)
            #expect(!cgroup.isFrozen())
            try cgroup.setFrozen(true)
            try cgroup.destroy()
            #expect(sleeper.wait() == .signal(SIGKILL))
        }
    }

    @Test func joinFilesPutTheWriterInTheCgroup() throws {
        try withCgroup("join") { cgroup in
            let v2 = try cgroup.openV2Directory()
            defer { if v2 >= 0 { close(v2) } }
            #expect((v2 >= 0) == (cgroup.paths.v2 != nil))
            let fds = try cgroup.openJoinFiles()
            defer { for fd in fds { close(fd) } }
            #expect(fds.count == cgroup.paths.v1Directories.count)
            let all = try cgroup.openJoinFiles(includeV2: true)
            for fd in all { close(fd) }
            #expect(all.count == cgroup.paths.allDirectories.count)
        }
    }
}
