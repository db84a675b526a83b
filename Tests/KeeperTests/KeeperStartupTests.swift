import Foundation
import XCTest
@testable import Supervisor

/// Start-up, the lock, the pid files, idle exit, and the client's start helper.
final class KeeperStartupTests: XCTestCase {
    func testASecondKeeperIsRefusedAndAnIdleKeeperLeavesNothing() throws {
        let s = try KeeperSession(self)
        defer { s.finish() }
        XCTAssertFalse(FileManager.default.fileExists(atPath: s.root))
        let first = KeeperSession.run([KeeperSession.keeper, "--root", s.root, "--detach"])
        XCTAssertEqual(first.status, 0, first.err)
        // --detach returned: the socket already listens.
        let c = try s.connect()
        let hello = try c.hello()
        XCTAssertEqual(hello.version, 1)
        XCTAssertEqual(hello.daemonPID, 0)
        let pid = try s.readPID(s.paths.pidFile)
        XCTAssertEqual(try String(contentsOfFile: s.paths.pidFile, encoding: .utf8), "\(hello.keeperPID)", "decimal, no newline")
        XCTAssertEqual(pid, hello.keeperPID)
        var st = stat()
        XCTAssertEqual(stat(s.root, &st), 0)
        XCTAssertEqual(st.st_mode & 0o777, 0o700)
        XCTAssertEqual(stat(s.paths.socket, &st), 0)
        XCTAssertEqual(st.st_mode & S_IFMT, S_IFSOCK)
        XCTAssertEqual(st.st_mode & 0o777, 0o600)

        let refusal = "swiftlet-keeper: another keeper already holds \(s.root) (pid \(pid))\n"
        let second = KeeperSession.run([KeeperSession.keeper, "--root", s.root, "--detach"])
        XCTAssertEqual(second.status, 1)
        XCTAssertEqual(second.err, refusal)
        let foreground = KeeperSession.run([KeeperSession.keeper, "--root", s.root])
        XCTAssertEqual(foreground.status, 1)
        XCTAssertEqual(foreground.err, refusal)

        // Another protocol version is refused by name.
        try KeeperWire.send(c.fd, ["hello", "2"], fds: [])
        XCTAssertEqual(try KeeperWire.receive(c.fd, timeoutMS: 5000), ["error", "protocol version 2 not supported (keeper speaks 1)"])

        // daemon.pid names the daemon child while it lives.
        let daemon = try s.daemon(c, "exec sleep 1000")
        XCTAssertEqual(try String(contentsOfFile: s.paths.daemonPIDFile, encoding: .utf8), "\(daemon)")
        kill(daemon, SIGTERM)
        XCTAssertEqual(try c.nextEvent(timeout: .seconds(5)), .daemonExit(pid: daemon, waitStatus: SIGTERM))
        XCTAssertFalse(FileManager.default.fileExists(atPath: s.paths.daemonPIDFile))

        // Nothing held, no daemon, no connection: it stops by itself after 2 s idle.
        c.close()
        usleep(1_000_000)
        XCTAssertFalse(KeeperSession.isGone(pid), "it waits 2 s before it stops")
        XCTAssertTrue(s.eventually(5) { KeeperSession.isGone(pid) }, "an idle keeper stops")
        XCTAssertFalse(FileManager.default.fileExists(atPath: s.paths.socket))
        XCTAssertFalse(FileManager.default.fileExists(atPath: s.paths.pidFile))
        XCTAssertTrue(s.keeperLog().contains("stopping: idle for 2 s with nothing to hold"), s.keeperLog())
    }

    func testEnsureRunningStartsOneKeeperAndReusesIt() throws {
        let s = try KeeperSession(self)
        defer { s.finish() }
        XCTAssertThrowsError(try KeeperConnection.connect(root: s.root)) { error in
            XCTAssertEqual("\(error)", "no keeper listens on \(s.root)/keeper.sock")
        }
        let pid = try Keeper.ensureRunning(root: s.root, executable: KeeperSession.keeper)
        s.adopt(pid)
        XCTAssertEqual(try s.readPID(s.paths.pidFile), pid)
        XCTAssertEqual(try Keeper.ensureRunning(root: s.root, executable: KeeperSession.keeper), pid, "the running keeper is reused")
        XCTAssertThrowsError(try Keeper.ensureRunning(root: s.dir + "/other", executable: "/nonexistent/swiftlet-keeper")) { error in
            XCTAssertEqual("\(error)", "cannot run /nonexistent/swiftlet-keeper: No such file or directory")
        }
        // The keeper built with the tests is the one a binary of this build finds.
        let found = URL(fileURLWithPath: Keeper.defaultExecutable()).resolvingSymlinksInPath().path
        XCTAssertEqual(found, URL(fileURLWithPath: KeeperSession.keeper).resolvingSymlinksInPath().path)
    }

    func testWaitStatusesDecode() {
        XCTAssertTrue(Keeper.decode(waitStatus: 0) == (0, nil))
        XCTAssertTrue(Keeper.decode(waitStatus: 3 << 8) == (3, nil))
        XCTAssertTrue(Keeper.decode(waitStatus: 137 << 8) == (137, nil), "exit(137)")
        XCTAssertTrue(Keeper.decode(waitStatus: 9) == (nil, 9), "SIGKILL")
        XCTAssertTrue(Keeper.decode(waitStatus: 11 | 0x80) == (nil, 11), "SIGSEGV with a core dump")
        XCTAssertTrue(Keeper.decode(waitStatus: 0x137f) == (nil, nil), "stopped is not an exit")
    }
}
