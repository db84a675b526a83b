import Foundation
import XCTest
@testable import Supervisor

/// The `daemon` verb: the keeper starts the daemon as its child and reports its exit.
final class KeeperDaemonTests: XCTestCase {
    func testTheDaemonRunsAsTheKeepersChildAndItsExitIsReported() throws {
        let s = try KeeperSession(self)
        defer { s.finish() }
        let keeper = try s.start()
        let c = try s.connect()
        let out = KeeperSession.pipe()
        let pid = try s.daemon(c, "echo started; exec sleep 1000", stdout: out.write, stderr: out.write)
        close(out.write)
        defer { close(out.read) }
        XCTAssertEqual(KeeperSession.read(out.read, until: "started\n"), "started\n", "stdout is the descriptor sent")
        XCTAssertEqual(try c.hello().daemonPID, pid)
        XCTAssertEqual(KeeperSession.children(of: keeper), [pid])

        // As the keeper prepared it: own process group, oom_score_adj 0, no blocked or ignored signal.
        let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        XCTAssertTrue(status.contains("SigBlk:\t0000000000000000"), status)
        XCTAssertTrue(status.contains("SigIgn:\t0000000000000000"), status)
        XCTAssertEqual(getpgid(pid), pid)
        XCTAssertEqual(try String(contentsOfFile: "/proc/\(pid)/oom_score_adj", encoding: .utf8), "0\n")
        // The keeper itself asks for -1000, which needs CAP_SYS_RESOURCE.
        let adj = try String(contentsOfFile: "/proc/\(keeper)/oom_score_adj", encoding: .utf8)
        if Self.hasCapSysResource() {
            XCTAssertEqual(adj, "-1000\n")
        } else {
            XCTAssertTrue(s.keeperLog().contains("cannot set oom_score_adj to -1000: Permission denied"), s.keeperLog())
            print("KeeperDaemonTests: no CAP_SYS_RESOURCE here, so the keeper's oom_score_adj stays \(adj.dropLast())")
        }

        // One daemon at a time.
        XCTAssertThrowsError(try s.daemon(c, "exit 0")) { error in
            XCTAssertEqual("\(error)", "a daemon already runs on \(s.root) (pid \(pid))")
        }
        kill(pid, SIGKILL)
        XCTAssertEqual(try c.nextEvent(timeout: .seconds(5)), .daemonExit(pid: pid, waitStatus: SIGKILL))
        XCTAssertEqual(try c.hello().daemonPID, 0)

        // The next one may start; its exit code comes as a raw wait status.
        let second = try s.daemon(c, "exit 3")
        XCTAssertEqual(try c.nextEvent(timeout: .seconds(5)), .daemonExit(pid: second, waitStatus: 3 << 8))

        // A bad executable is an error reply, not a silent exit.
        let null = open("/dev/null", O_RDWR | O_CLOEXEC)
        defer { close(null) }
        XCTAssertThrowsError(try c.startDaemon(arguments: ["/nonexistent/daemon"], stdin: null, stdout: null, stderr: null)) { error in
            XCTAssertEqual("\(error)", "cannot execute /nonexistent/daemon: No such file or directory")
        }
        let text = s.script("not-executable", "exit 0\n")
        chmod(text, 0o644)
        XCTAssertThrowsError(try c.startDaemon(arguments: [text], stdin: null, stdout: null, stderr: null)) { error in
            XCTAssertEqual("\(error)", "cannot execute \(text): Permission denied")
        }
        XCTAssertThrowsError(try c.startDaemon(arguments: ["sh"], stdin: null, stdout: null, stderr: null)) { error in
            XCTAssertEqual("\(error)", "the daemon's executable must be an absolute path, not \"sh\"")
        }
        XCTAssertEqual(try c.hello().daemonPID, 0)
        XCTAssertEqual(try c.nextEvent(timeout: .milliseconds(300)), nil, "a failed exec is no daemon-exit")
        XCTAssertTrue(s.keeperLog().contains("the daemon (pid \(second)) exited: exit code 3 (wait status 768)"), s.keeperLog())
    }

    func testDaemonNeedsItsThreeDescriptors() throws {
        let s = try KeeperSession(self)
        defer { s.finish() }
        try s.start()
        let c = try s.connect()
        try KeeperWire.send(c.fd, ["daemon", "/bin/true"], fds: [])
        XCTAssertEqual(try KeeperWire.receive(c.fd, timeoutMS: 5000),
                       ["error", "daemon takes 3 file descriptors (stdin, stdout, stderr), not 0"])
        try KeeperWire.send(c.fd, ["start"], fds: [])
        XCTAssertEqual(try KeeperWire.receive(c.fd, timeoutMS: 5000)?.first, "error")
        XCTAssertEqual(try c.stats().running, 0, "the connection still works after errors")
    }

    /// Bit 24 of CapEff.
    static func hasCapSysResource() -> Bool {
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix("CapEff:") }),
              let caps = UInt64(line.split(separator: "\t").last ?? "", radix: 16) else { return false }
        return caps & (1 << 24) != 0
    }
}
