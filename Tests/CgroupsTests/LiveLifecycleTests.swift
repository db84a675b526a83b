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
