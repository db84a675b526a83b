import Foundation
import Testing
@testable import Supervisor

// The state root's delete requests: how `delete` in one terminal reaches the supervisor.

@Suite struct PodStoreTests {
    private func withStore(_ body: (PodStore) throws -> Void) throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("swiftlet-store-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        try body(PodStore(root: root))
    }

    @Test func aRequestIsListedWithItsGracePeriodUntilThePodIsRemoved() throws {
        try withStore { store in
            try store.create("web")
            try store.create("db")
            #expect(store.deleteRequests().isEmpty)
            try store.requestDeletion("web", graceSeconds: 7)
            #expect(store.deleteRequests() == ["web"])
            #expect(try String(contentsOfFile: store.deleteRequestPath("web"), encoding: .utf8) == "7")
            store.remove("web")
            #expect(store.deleteRequests().isEmpty)
            #expect(store.names() == ["db"])
        }
    }

    @Test func aNewPodOfTheSameNameIsNotDeletedByAnOldRequest() throws {
        try withStore { store in
            try store.create("web")
            try store.requestDeletion("web", graceSeconds: nil)
            // The old pod's deletion was cut short: its directory went, the request stayed.
            try FileManager.default.removeItem(atPath: store.podDir("web"))
            try store.create("web")
            #expect(store.deleteRequests().isEmpty)
        }
    }

    @Test func theRootAndItsRequestsAreRootOnly() throws {
        try withStore { store in
            try store.create("web")
            for dir in [store.root, store.podsDir, store.deleteRequestsDir] {
                let mode = try #require(try FileManager.default.attributesOfItem(atPath: dir)[.posixPermissions] as? Int)
                #expect(mode == 0o700, "\(dir)")
            }
        }
    }
}
