import Foundation
import Testing
@testable import Supervisor

/// The termination message's reading rules, on files: the kubelet's limits (4096 bytes of the
/// file; 80 log lines, 2048 bytes of them), CRI partial lines joined, symlinks never followed.
@Suite struct TerminationMessageTests {
    private func withDirectory(_ body: (String) throws -> Void) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("swiftlet-tm-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try body(dir)
    }

    @Test func logTailJoinsPartialLinesAndKeepsTheLast80() throws {
        try withDirectory { dir in
            var log = "2026-01-01T00:00:00.000000000Z stdout P hel\n2026-01-01T00:00:00.000000001Z stdout F lo\n"
            for i in 0..<100 { log += "2026-01-01T00:00:01.000000000Z stderr F line \(i)\n" }
            try log.write(toFile: dir + "/0.log", atomically: true, encoding: .utf8)
            let tail = TerminationMessage.logTail(dir + "/0.log")
            #expect(tail.hasPrefix("line 20\n") && tail.hasSuffix("line 99\n"), "\(tail.prefix(20))")
            try "2026-01-01T00:00:00.000000000Z stdout P hel\n2026-01-01T00:00:00.000000001Z stdout F lo\n2026-01-01T00:00:00.000000001Z stdout F \n"
                .write(toFile: dir + "/1.log", atomically: true, encoding: .utf8)
            #expect(TerminationMessage.logTail(dir + "/1.log") == "hello\n\n")
        }
    }

    @Test func logTailIsCutTo2048Bytes() throws {
        try withDirectory { dir in
            let line = "2026-01-01T00:00:00.000000000Z stdout F " + String(repeating: "x", count: 100) + "\n"
            try String(repeating: line, count: 30).write(toFile: dir + "/0.log", atomically: true, encoding: .utf8)
            #expect(TerminationMessage.logTail(dir + "/0.log").utf8.count == 2048)
        }
    }

    @Test func theFileIsReadFromItsEndAndNeverThroughASymlink() throws {
        try withDirectory { dir in
            try (String(repeating: "a", count: 5000) + "END").write(toFile: dir + "/file", atomically: true, encoding: .utf8)
            guard case .success(let bytes) = TerminationMessage.tail(of: dir + "/file", maxBytes: 4096) else {
                Issue.record("the file should be read")
                return
            }
            #expect(bytes.count == 4096 && String(decoding: bytes, as: UTF8.self).hasSuffix("aEND"))
            try "SECRET".write(toFile: dir + "/secret", atomically: true, encoding: .utf8)
            try FileManager.default.createSymbolicLink(atPath: dir + "/link", withDestinationPath: dir + "/secret")
            guard case .failure(let error) = TerminationMessage.tail(of: dir + "/link", maxBytes: 4096) else {
                Issue.record("a symlink must not be followed")
                return
            }
            #expect(error.rawValue == ELOOP)
        }
    }
}
