import Foundation
import Testing
@testable import Supervisor

// The state root: root-only directories.

@Suite struct PodStoreTests {
    private func withStore(_ body: (PodStore) throws -> Void) throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("swiftlet-store-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        try body(PodStore(root: root))
    }

    @Test func theRootAndThePodsAreRootOnly() throws {
        try withStore { store in
            try store.create("web")
            for dir in [store.root, store.podsDir, store.podDir("web")] {
                let mode = try #require(try FileManager.default.attributesOfItem(atPath: dir)[.posixPermissions] as? Int)
                #expect(mode == 0o700, "\(dir)")
            }
        }
    }
}
