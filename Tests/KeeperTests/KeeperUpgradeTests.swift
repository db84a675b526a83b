import Foundation
import XCTest
@testable import Supervisor

/// `upgrade`: the keeper re-execs in place; its pid, children, entries and pipes stay.
final class KeeperUpgradeTests: XCTestCase {
    func testUpgradeKeepsThePidTheEntriesAndTheLogFlowing() throws {
        let s = try KeeperSession(self)
        defer { s.finish() }
        let keeper = try s.start()
        var c = try s.connect()
        // A writer of numbered lines until `stop`, and a process that exits 42 on `go`.
        let writer = s.script("writer.sh", """
            i=0
            while [ ! -e "$1" ]; do echo "n $i"; i=$((i+1)); sleep 0.002; done
            echo "n $i"

            """)
        let waiter = s.script("waiter.sh", "while [ ! -e \"$1\" ]; do sleep 0.01; done\nexit 42\n")
        let out = KeeperSession.pipe(), err = KeeperSession.pipe()
        try s.spawnChildren(c, """
            /bin/sh \(writer) \(s.dir)/stop & echo $! > \(s.dir)/writer
            /bin/sh \(waiter) \(s.dir)/go & echo $! > \(s.dir)/waiter
            """, stdout: out.write, stderr: err.write)
        close(out.write)
        close(err.write)
        let writerPID = try XCTUnwrap(try s.pids(in: s.dir + "/writer").first)
        let waiterPID = try XCTUnwrap(try s.pids(in: s.dir + "/waiter").first)
        let log = s.dir + "/writer.log"
        try c.hold(id: "writer", pid: writerPID, logPath: log, stdout: out.read, stderr: err.read)
        try c.hold(id: "waiter", pid: waiterPID, logPath: nil, stdout: nil, stderr: nil)
        close(out.read)
        close(err.read)
        XCTAssertTrue(s.eventually(5) { Self.lineCount(log) > 20 })

        // A path that cannot be executed is refused before anything changes.
        XCTAssertThrowsError(try c.upgrade(executable: "/nonexistent/swiftlet-keeper")) { error in
            XCTAssertEqual("\(error)", "cannot upgrade to \"/nonexistent/swiftlet-keeper\": No such file or directory")
        }
        // An exec that fails after the reply: the keeper logs it and goes on, connections and all.
        let garbage = s.script("not-a-keeper", "\u{7f}ELF, not really\n")
        try c.upgrade(executable: garbage)
        XCTAssertEqual(try c.hello().keeperPID, keeper)
        XCTAssertTrue(s.keeperLog().contains("upgrade to \(garbage) failed: Exec format error; going on as before"), s.keeperLog())
        XCTAssertEqual(try c.list().count, 2)
        let before = try c.stats()
        try c.upgrade(executable: KeeperSession.keeper)
        let linesAtUpgrade = Self.lineCount(log)
        c.close()
        c = try s.reconnect()
        let hello = try c.hello()
        XCTAssertEqual(hello.keeperPID, keeper, "same pid: the containers stay its children")
        XCTAssertEqual(try s.readPID(s.paths.pidFile), keeper)
        XCTAssertTrue(s.keeperLog().contains("upgraded in place (pid \(keeper)): 2 entries"), s.keeperLog())
        let entries = try c.list().sorted { $0.id < $1.id }
        XCTAssertEqual(entries, [KeeperEntry(id: "waiter", pid: waiterPID, exit: nil), KeeperEntry(id: "writer", pid: writerPID, exit: nil)])
        let after = try c.stats()
        XCTAssertEqual(after.running, 2)
        XCTAssertEqual(after.openFDs, before.openFDs, "the same descriptors, no more (stats: \(before) then \(after))")
        XCTAssertEqual(KeeperSession.children(of: keeper).sorted(), [writerPID, waiterPID].sorted())

        // The log keeps flowing, and exits after the upgrade are exact.
        XCTAssertTrue(s.eventually(5) { Self.lineCount(log) > linesAtUpgrade + 50 }, "the writer's lines keep coming")
        let events = try s.connect()
        try events.subscribe()
        s.touch("go")
        guard case .exit(let waited)? = try events.nextEvent(timeout: .seconds(10)) else { return XCTFail("no exit for waiter") }
        XCTAssertEqual(waited.id, "waiter")
        XCTAssertEqual(waited.pid, waiterPID)
        XCTAssertEqual(waited.waitStatus, 42 << 8)
        s.touch("stop")
        guard case .exit(let wrote)? = try events.nextEvent(timeout: .seconds(10)) else { return XCTFail("no exit for writer") }
        XCTAssertEqual(wrote.id, "writer")
        XCTAssertEqual(wrote.waitStatus, 0)

        // Every line once, in order, across the upgrade.
        let lines = try KeeperLogTests.lines(log)
        XCTAssertGreaterThan(lines.count, linesAtUpgrade)
        for (i, line) in lines.enumerated() {
            guard let parsed = KeeperLogTests.parse(line), parsed.tag == "F", parsed.stream == "stdout", parsed.text == "n \(i)" else {
                return XCTFail("line \(i) of \(lines.count) is \(line), not F n \(i)")
            }
        }
        try c.ack("writer")
        try c.ack("waiter")
    }

    static func lineCount(_ path: String) -> Int {
        ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").utf8.reduce(0) { $0 + ($1 == 10 ? 1 : 0) }
    }
}
