import Foundation
import XCTest
@testable import Supervisor

/// The keeper's budget: at most 16 KiB per held process and 4 MiB in all (Pss and
/// Private_Dirty from /proc/<pid>/smaps_rollup).
final class KeeperMemoryTests: XCTestCase {
    func testAThousandHeldProcessesFitTheBudget() throws {
        let s = try KeeperSession(self)
        defer { s.finish() }
        let keeper = try s.start()
        let c = try s.connect()
        _ = try c.list()
        _ = try c.stats()
        let empty = KeeperSession.memory(keeper)

        try s.spawnChildren(c, "i=0; while [ $i -lt 1000 ]; do sleep 1000 & echo $! >> \(s.dir)/sleeps; i=$((i+1)); done", timeout: 120)
        let pids = try s.pids(in: s.dir + "/sleeps")
        XCTAssertEqual(pids.count, 1000)
        // Ids long enough that `list` needs several datagrams (1000 x ~120 bytes > 64 KiB).
        let ids = pids.indices.map { String(format: "held-process-%04d-", $0) + String(repeating: "x", count: 100) }
        for (id, pid) in zip(ids, pids) { try c.hold(id: id, pid: pid, logPath: nil, stdout: nil, stderr: nil) }
        let listed = try c.list()
        XCTAssertEqual(listed.count, 1000)
        XCTAssertEqual(Set(listed.map(\.id)), Set(ids))
        XCTAssertEqual(try c.stats().running, 1000)
        let full = KeeperSession.memory(keeper)

        let perEntryPss = Double(full.pss - empty.pss) * 1024 / 1000
        let perEntryDirty = Double(full.privateDirty - empty.privateDirty) * 1024 / 1000
        print("""
            KeeperMemoryTests: keeper memory (smaps_rollup): 0 entries Pss \(empty.pss) kB, Private_Dirty \(empty.privateDirty) kB; \
            1000 entries Pss \(full.pss) kB, Private_Dirty \(full.privateDirty) kB; \
            per entry Pss \(Int(perEntryPss)) B, Private_Dirty \(Int(perEntryDirty)) B
            """)
        XCTAssertGreaterThan(empty.pss, 0)
        XCTAssertLessThan(full.pss, 4096)
        XCTAssertLessThan(full.privateDirty, 4096)
        XCTAssertLessThan(perEntryPss, 16384)
        XCTAssertLessThan(perEntryDirty, 16384)

        // They all exit; the keeper reports each and forgets them on ack.
        for pid in pids { kill(pid, SIGKILL) }
        XCTAssertTrue(s.eventually(30) { (try? c.stats().exited) == 1000 })
        for id in ids { try c.ack(id) }
        XCTAssertEqual(try c.stats().running + c.stats().exited, 0)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: s.paths.exitsDir), [])
    }
}
