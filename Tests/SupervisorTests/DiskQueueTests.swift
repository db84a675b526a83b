import Foundation
import Synchronization
import Testing
@testable import Supervisor

// The disk thread: state files written off the actor, in order, newest content only.

@Suite struct DiskQueueTests {
    private func withDirectory(_ body: (String) async throws -> Void) async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("swiftlet-disk-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try await body(dir)
    }

    @Test func aFileWrittenAgainBeforeItsTurnIsWrittenOnceWithTheNewestContent() async throws {
        try await withDirectory { dir in
            let disk = DiskQueue()
            let path = dir + "/pod.json"
            let made = Atomic<Int>(0)
            // Hold the thread, so the writes below queue up behind this.
            let gate = DispatchSemaphore(value: 0)
            disk.perform { gate.wait() }
            for n in 1...5 {
                disk.write(path) {
                    made.add(1, ordering: .relaxed)
                    return Data("v\(n)".utf8)
                }
            }
            gate.signal()
            await disk.run {}
            let written = try String(contentsOfFile: path, encoding: .utf8)
            #expect(written == "v5")
            #expect(made.load(ordering: .relaxed) == 1)
        }
    }

    @Test func workRunsInTheOrderAsked() async throws {
        try await withDirectory { dir in
            let disk = DiskQueue()
            let path = dir + "/events.json"
            disk.write(path) { Data("first".utf8) }
            // A removal asked after a write sees the file; a write asked after it comes back.
            let seenByRemoval = await disk.run { () -> String? in
                let text = try? String(contentsOfFile: path, encoding: .utf8)
                unlink(path)
                return text
            }
            #expect(seenByRemoval == "first")
            disk.write(path) { Data("second".utf8) }
            await disk.run {}
            let written = try String(contentsOfFile: path, encoding: .utf8)
            #expect(written == "second")
        }
    }

    @Test func aWriteIntoAMissingDirectoryIsDroppedAndNothingIsCreated() async throws {
        try await withDirectory { dir in
            let disk = DiskQueue()
            disk.write(dir + "/gone/pod.json") { Data("x".utf8) }
            await disk.run {}
            #expect(!FileManager.default.fileExists(atPath: dir + "/gone"))
        }
    }

    @Test func filesAreReplacedWholeAndRootOnly() async throws {
        try await withDirectory { dir in
            let path = dir + "/pod.json"
            try PodStore.writeAtomically(Data(String(repeating: "a", count: 100_000).utf8), to: path)
            try PodStore.writeAtomically(Data("b".utf8), to: path)
            let written = try String(contentsOfFile: path, encoding: .utf8)
            #expect(written == "b")
            let mode = try #require(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
            #expect(mode == 0o600)
            #expect(!FileManager.default.fileExists(atPath: path + ".tmp"))
        }
    }
}
