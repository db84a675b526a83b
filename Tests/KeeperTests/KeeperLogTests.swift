import Foundation
import XCTest
@testable import Supervisor

/// The keeper writes held processes' CRI logs itself, so a writer never blocks on its pipe
/// while no daemon reads (containerd#9342).
final class KeeperLogTests: XCTestCase {
    static let text = "abcdefghijklmnopqrstuvwxyzabcdefghijklmnop"

    func testTenMegabytesWithNoDaemonReadingEveryLineOnceInOrder() throws {
        let s = try KeeperSession(self)
        defer { s.finish() }
        try s.start()
        let c = try s.connect()
        let events = try s.connect()
        try events.subscribe()
        // 200000 lines (10.4 MB), one write(2) each (dash's echo), then the odd cases.
        let writer = s.script("writer.sh", """
            while [ ! -e "$1" ]; do sleep 0.01; done
            date +%s%N > "$1.start"
            i=0
            while [ $i -lt 200000 ]; do echo "line $i \(Self.text)"; i=$((i+1)); done
            date +%s%N > "$1.end"
            printf 'partial'; sleep 0.3; printf ' rest\\n'
            echo "to stderr" >&2
            head -c 40000 /dev/zero | tr '\\0' x; echo
            printf 'no newline at the end'

            """)
        let out = KeeperSession.pipe(), err = KeeperSession.pipe()
        try s.spawnChildren(c, "/bin/sh \(writer) \(s.dir)/go & echo $! > \(s.dir)/writer", stdout: out.write, stderr: err.write)
        close(out.write)
        close(err.write)
        let pid = try XCTUnwrap(try s.pids(in: s.dir + "/writer").first)
        let log = s.dir + "/logs/writer.log"
        try FileManager.default.createDirectory(atPath: s.dir + "/logs", withIntermediateDirectories: true)
        try c.hold(id: "writer", pid: pid, logPath: log, stdout: out.read, stderr: err.read)
        close(out.read)
        close(err.read)
        var st = stat()
        XCTAssertEqual(stat(log, &st), 0)
        XCTAssertEqual(st.st_mode & 0o777, 0o640)

        s.touch("go")
        guard case .exit(let exit)? = try events.nextEvent(timeout: .seconds(60)) else { return XCTFail("the writer's exit was not reported") }
        XCTAssertEqual(exit.waitStatus, 0)
        let start = Int64(try String(contentsOfFile: s.dir + "/go.start", encoding: .utf8).dropLast()) ?? 0
        let end = Int64(try String(contentsOfFile: s.dir + "/go.end", encoding: .utf8).dropLast()) ?? 0
        let seconds = Double(end - start) / 1e9
        print("KeeperLogTests: the writer wrote 200000 lines in \(String(format: "%.2f", seconds)) s")
        XCTAssertLessThan(seconds, 3, "the writer never waited for a reader")

        // Rotated once at the default 10 MiB: the union of .1 and the current file.
        XCTAssertTrue(FileManager.default.fileExists(atPath: log + ".1"), "18 MB of log passes 10 MiB once")
        for path in [log + ".1", log] {
            XCTAssertEqual(stat(path, &st), 0)
            XCTAssertLessThanOrEqual(st.st_size, 10 << 20, path)
        }
        let lines = try Self.lines(log + ".1") + Self.lines(log)
        var stdout: [(tag: Substring, text: Substring)] = []
        var stderr: [Substring] = []
        for line in lines {
            let parsed = try XCTUnwrap(Self.parse(line), "not a CRI line: \(line.prefix(100))")
            if parsed.stream == "stderr" { stderr.append(parsed.text) } else { stdout.append((parsed.tag, parsed.text)) }
        }
        XCTAssertEqual(stderr, ["to stderr"])
        XCTAssertGreaterThan(stdout.count, 200000)
        for i in 0..<min(200000, stdout.count) where stdout[i].tag != "F" || stdout[i].text != "line \(i) \(Self.text)" {
            return XCTFail("stdout line \(i) is \(stdout[i].tag) \(stdout[i].text.prefix(80)), not F line \(i)")
        }
        // After the numbered lines: a partial line written at once as P, then the rest.
        var rest = Array(stdout.dropFirst(200000))
        XCTAssertEqual(rest.first?.tag, "P")
        XCTAssertEqual(rest.first?.text, "partial")
        XCTAssertEqual(rest.dropFirst().first?.tag, "F")
        XCTAssertEqual(rest.dropFirst().first?.text, " rest")
        rest.removeFirst(min(2, rest.count))
        // A 40000-byte line: P pieces of at most 16 KiB, then F; at least two cuts.
        var long = ""
        var pieces = 0
        while let piece = rest.first {
            rest.removeFirst()
            XCTAssertLessThanOrEqual(piece.text.utf8.count, 16384)
            long += piece.text
            pieces += 1
            if piece.tag == "F" { break }
        }
        XCTAssertEqual(long, String(repeating: "x", count: 40000))
        XCTAssertGreaterThanOrEqual(pieces, 3)
        XCTAssertEqual(rest.map(\.text), ["no newline at the end"])
    }

    /// A log file's lines (without their newlines); every line of a CRI log ends with one.
    static func lines(_ path: String) throws -> [Substring] {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        XCTAssertTrue(text.isEmpty || text.hasSuffix("\n"), "\(path) ends in mid-line")
        return text.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
    }

    /// `<2026-12-06T02:18:30.123456789Z> <stdout|stderr> <F|P> <text>`
    static func parse(_ line: Substring) -> (stream: Substring, tag: Substring, text: Substring)? {
        let u = Array(line.utf8.prefix(40))
        guard u.count >= 40 else { return nil }
        let digits = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18] + Array(20...28)
        guard digits.allSatisfy({ u[$0] >= 48 && u[$0] <= 57 }), u[4] == 45, u[7] == 45, u[10] == 84, u[13] == 58,
              u[16] == 58, u[19] == 46, u[29] == 90, u[30] == 32, u[37] == 32, u[39] == 32 else { return nil }
        let fields = line.split(separator: " ", maxSplits: 3, omittingEmptySubsequences: false)
        guard fields.count == 4, fields[1] == "stdout" || fields[1] == "stderr", fields[2] == "F" || fields[2] == "P" else { return nil }
        return (fields[1], fields[2], fields[3])
    }
}
