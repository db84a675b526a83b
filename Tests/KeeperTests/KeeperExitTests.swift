import Foundation
import XCTest
@testable import Supervisor

/// Exits while nobody listens: exact raw statuses on disk and as events, late holds, acks, and
/// SIGTERM while something is held.
final class KeeperExitTests: XCTestCase {
    func testExactStatusesAreKeptWhileNobodySubscribes() throws {
        let s = try KeeperSession(self)
        defer { s.finish() }
        try s.start()
        let c = try s.connect()
        // Each child waits for `go`, then ends its own way.
        let child = s.script("child.sh", "while [ ! -e \"$1\" ]; do sleep 0.01; done\neval \"$2\"\n")
        let endings = ["exit 0", "exit 3", "exit 137", "kill -KILL $$", "ulimit -c 0; kill -SEGV $$"]
        let expected: [Int32] = [0, 3 << 8, 137 << 8, SIGKILL, SIGSEGV]
        let starts = endings.map { "/bin/sh \(child) \(s.dir)/go '\($0)' & echo $! >> \(s.dir)/pids" }
        try s.spawnChildren(c, starts.joined(separator: "\n"))
        let pids = try s.pids(in: s.dir + "/pids")
        XCTAssertEqual(pids.count, 5)
        for (i, pid) in pids.enumerated() { try c.hold(id: "c\(i)", pid: pid, logPath: nil, stdout: nil, stderr: nil) }
        XCTAssertEqual(try c.list().map(\.exit), [KeeperExit?](repeating: nil, count: 5))

        let went = Date()
        s.touch("go")
        XCTAssertTrue(s.eventually(10) { ((try? c.list()) ?? []).allSatisfy { $0.exit != nil } }, "all five exit")
        var recorded: [String: Int64] = [:]
        for (i, pid) in pids.enumerated() {
            let record = try String(contentsOfFile: s.paths.exitRecord("c\(i)"), encoding: .utf8)
            let parts = record.dropLast().split(separator: " ")
            XCTAssertTrue(record.hasSuffix("\n"))
            XCTAssertEqual(parts.count, 3, record)
            XCTAssertEqual(Int32(parts[0]), expected[i], "c\(i) (\(endings[i])): \(record)")
            XCTAssertEqual(Int32(parts[2]), pid)
            let finished = Double(Int64(parts[1]) ?? 0) / 1e9
            XCTAssertEqual(finished, went.timeIntervalSince1970, accuracy: 1.5, "finished-at is the reaping time")
            recorded["c\(i)"] = Int64(parts[1])
        }

        // A subscriber arriving later gets each exit, exact.
        let events = try s.connect()
        try events.subscribe()
        var exits: [String: KeeperExit] = [:]
        for _ in 0..<5 {
            guard case .exit(let exit)? = try events.nextEvent(timeout: .seconds(5)) else { return XCTFail("an exit event is missing") }
            exits[exit.id] = exit
        }
        for (i, pid) in pids.enumerated() {
            let exit = try XCTUnwrap(exits["c\(i)"])
            XCTAssertEqual(exit.pid, pid)
            XCTAssertEqual(exit.waitStatus, expected[i], "c\(i) (\(endings[i]))")
            XCTAssertEqual(Int64((exit.finishedAt.timeIntervalSince1970 * 1e9).rounded()), recorded["c\(i)"] ?? 0, accuracy: 1000)
        }
        XCTAssertTrue(Keeper.decode(waitStatus: exits["c2"]?.waitStatus ?? 0) == (137, nil), "exit(137)")
        XCTAssertTrue(Keeper.decode(waitStatus: exits["c3"]?.waitStatus ?? 0) == (nil, SIGKILL), "SIGKILL")
        XCTAssertTrue(Keeper.decode(waitStatus: exits["c4"]?.waitStatus ?? 0) == (nil, SIGSEGV), "SIGSEGV")
        let listed = try c.list().first { $0.id == "c2" }?.exit
        XCTAssertEqual(listed, exits["c2"], "list reads finishedAt from the record")

        // An ack forgets the exit: record gone, no event again.
        for i in 0..<5 { try c.ack("c\(i)") }
        try c.ack("c0")  // idempotent
        for i in 0..<5 { XCTAssertFalse(FileManager.default.fileExists(atPath: s.paths.exitRecord("c\(i)"))) }
        XCTAssertEqual(try c.list(), [])
        XCTAssertEqual(try events.nextEvent(timeout: .milliseconds(300)), nil)
        let again = try s.connect()
        try again.subscribe()
        XCTAssertEqual(try again.nextEvent(timeout: .milliseconds(300)), nil, "nothing unacked is left")
        XCTAssertThrowsError(try events.nextEvent(timeout: .seconds(2)), "the replaced subscriber's connection is closed") { error in
            XCTAssertEqual("\(error)", "the keeper closed the connection")
        }
    }

    func testALateHoldOfAReapedPidReportsItsExit() throws {
        let s = try KeeperSession(self)
        defer { s.finish() }
        try s.start()
        let c = try s.connect()
        try s.spawnChildren(c, "sh -c 'sleep 0.2; exit 5' & echo $! > \(s.dir)/late")
        let pid = try XCTUnwrap(try s.pids(in: s.dir + "/late").first)
        // The keeper reaps it before anyone holds it.
        XCTAssertTrue(s.eventually(5) { !FileManager.default.fileExists(atPath: "/proc/\(pid)") })
        XCTAssertTrue(s.keeperLog().contains("reaped pid \(pid), which nobody holds: exit code 5 (wait status 1280)"), s.keeperLog())
        let heldAt = Date()
        try c.hold(id: "late", pid: pid, logPath: nil, stdout: nil, stderr: nil)
        let entry = try XCTUnwrap(try c.list().first)
        XCTAssertEqual(entry.id, "late")
        XCTAssertEqual(entry.exit?.waitStatus, 5 << 8)
        XCTAssertLessThan(try XCTUnwrap(entry.exit?.finishedAt), heldAt, "finished when it was reaped, before the hold")
        let record = try String(contentsOfFile: s.paths.exitRecord("late"), encoding: .utf8)
        XCTAssertTrue(record.hasPrefix("1280 ") && record.hasSuffix(" \(pid)\n"), record)
        let events = try s.connect()
        try events.subscribe()
        guard case .exit(let exit)? = try events.nextEvent(timeout: .seconds(5)) else { return XCTFail("no exit event") }
        XCTAssertEqual(exit, entry.exit)

        // The same hold again is accepted; other mistakes are named.
        try c.hold(id: "late", pid: pid, logPath: nil, stdout: nil, stderr: nil)
        XCTAssertThrowsError(try c.hold(id: "late", pid: getpid(), logPath: nil, stdout: nil, stderr: nil)) { error in
            XCTAssertEqual("\(error)", "late is already held (pid \(pid))")
        }
        XCTAssertThrowsError(try c.hold(id: "mine", pid: getpid(), logPath: nil, stdout: nil, stderr: nil)) { error in
            XCTAssertEqual("\(error)", "pid \(getpid()) is not a child of the keeper (the daemon must clone it with CLONE_PARENT)")
        }
        XCTAssertThrowsError(try c.hold(id: "a/b", pid: pid, logPath: nil, stdout: nil, stderr: nil)) { error in
            XCTAssertEqual("\(error)", "invalid container id \"a/b\": ids are 1 to 255 characters of A-Z a-z 0-9 _ . - (and not \".\" or \"..\")")
        }
        XCTAssertThrowsError(try c.hold(id: String(repeating: "x", count: 256), pid: pid, logPath: nil, stdout: nil, stderr: nil))
        XCTAssertThrowsError(try c.ack("..")) { error in XCTAssertTrue("\(error)".hasPrefix("invalid container id \"..\"")) }
        let pipe = KeeperSession.pipe()
        defer { close(pipe.read); close(pipe.write) }
        XCTAssertThrowsError(try c.hold(id: "nolog", pid: pid, logPath: nil, stdout: pipe.read, stderr: pipe.read)) { error in
            XCTAssertEqual("\(error)", "holding nolog with pipes needs a log path")
        }
        XCTAssertThrowsError(try c.hold(id: "rel", pid: pid, logPath: "logs/x.log", stdout: pipe.read, stderr: pipe.read)) { error in
            XCTAssertTrue("\(error)".hasPrefix("the log path of rel must be absolute"), "\(error)")
        }
        try c.ack("late")
    }

    func testSIGTERMStopsTheKeeperOnlyWhenItHoldsNothing() throws {
        let s = try KeeperSession(self)
        defer { s.finish() }
        let keeper = try s.start()
        let c = try s.connect()
        try s.spawnChildren(c, "sleep 1000 & echo $! > \(s.dir)/sleep")
        let pid = try XCTUnwrap(try s.pids(in: s.dir + "/sleep").first)
        try c.hold(id: "s", pid: pid, logPath: nil, stdout: nil, stderr: nil)

        kill(keeper, SIGTERM)
        XCTAssertTrue(s.eventually(5) { s.keeperLog().contains("holding 1 processes; not stopping (delete the pods first)") }, s.keeperLog())
        XCTAssertFalse(KeeperSession.isGone(keeper))
        XCTAssertEqual(try c.hello().keeperPID, keeper)

        // Exited but not acked is still held.
        kill(pid, SIGKILL)
        XCTAssertTrue(s.eventually(5) { (try? c.list().first?.exit?.waitStatus) == SIGKILL })
        kill(keeper, SIGINT)
        usleep(300_000)
        XCTAssertFalse(KeeperSession.isGone(keeper), "an unacked exit is held")

        try c.ack("s")
        kill(keeper, SIGTERM)
        XCTAssertTrue(s.eventually(5) { KeeperSession.isGone(keeper) }, "holding nothing, it stops (the open connection does not keep it)")
        XCTAssertFalse(FileManager.default.fileExists(atPath: s.paths.socket))
        XCTAssertFalse(FileManager.default.fileExists(atPath: s.paths.pidFile))
        XCTAssertTrue(s.keeperLog().contains("stopping: SIGTERM"), s.keeperLog())
    }
}
