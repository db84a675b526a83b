import Foundation
import Glibc
import Testing
@testable import PodNetwork

@Suite("Pinned network namespaces", .enabled(if: CNIHost.isRoot, "needs root to bind-mount a namespace"))
struct CNINetnsPinTests {
    @Test func pinMakesPrivateParentsAndUnpinRemovesEverything() throws {
        let dir = makeTempDir("pin")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/a/b/netns"
        try NetnsPin.pin(pid: getpid(), at: path)
        defer { NetnsPin.unpin(path) }
        #expect(NetnsPin.isPinned(path))
        var info = stat(), own = stat()
        #expect(stat(dir + "/a/b", &info) == 0 && info.st_mode & 0o777 == 0o700)
        #expect(stat(path, &info) == 0 && stat("/proc/self/ns/net", &own) == 0 && info.st_ino == own.st_ino, "our own namespace")
        NetnsPin.unpin(path)
        #expect(!FileManager.default.fileExists(atPath: path))
        #expect(!NetnsPin.isPinned(path))
        #expect(!NetnsPin.isPinned(""))
    }

    @Test func aGoneProcessCannotBePinnedAndLeavesNoFile() throws {
        let dir = makeTempDir("pin")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let gone = run(["/bin/sh", "-c", "echo $$"]).output.trimmingCharacters(in: .whitespacesAndNewlines)
        let pid = try #require(Int32(gone))
        #expect { try NetnsPin.pin(pid: pid, at: dir + "/netns") } throws: {
            "\($0)" == "cannot pin the network namespace of process \(pid) at \(dir)/netns: bind mount /proc/\(pid)/ns/net: No such file or directory"
        }
        #expect(!FileManager.default.fileExists(atPath: dir + "/netns"))
    }
}
