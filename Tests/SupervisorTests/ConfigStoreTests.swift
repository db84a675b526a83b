import Foundation
import PodSpec
import Testing
@testable import Supervisor

// The ConfigMaps and Secrets of a state root: files, root-only, looked up by namespace and name.

@Suite struct ConfigStoreTests {
    private func withStore(_ body: (ConfigStore) throws -> Void) throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("swiftlet-config-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        try body(ConfigStore(root: root))
    }

    @Test func savedObjectsAreFoundByNamespaceAndName() throws {
        try withStore { store in
            let map = ConfigMap(name: "game", data: ["lives": "3"], binaryData: ["logo": [0, 255, 10]])
            let secret = Secret(name: "creds", namespace: "prod", data: ["password": Array("s3cr\u{0}t".utf8)])
            try store.save(map)
            try store.save(secret)
            #expect(store.configMap(namespace: "default", name: "game") == map)
            #expect(store.secret(namespace: "prod", name: "creds") == secret)
            #expect(store.secret(namespace: "default", name: "creds") == nil)
            #expect(store.configMap(namespace: "default", name: "other") == nil)
            #expect(store.configMaps().map(\.object.name) == ["game"])
            #expect(store.secrets(namespace: "prod").map(\.object.name) == ["creds"])
            #expect(store.secrets(namespace: "default").isEmpty)
        }
    }

    @Test func filesAndDirectoriesAreRootOnly() throws {
        try withStore { store in
            try store.save(Secret(name: "creds", data: ["k": [1]]))
            for dir in [store.root, store.kindDir(.secret), store.namespaceDir(.secret, namespace: "default")] {
                let mode = try #require(try FileManager.default.attributesOfItem(atPath: dir)[.posixPermissions] as? Int)
                #expect(mode == 0o700, "\(dir)")
            }
            let file = store.path(.secret, namespace: "default", name: "creds")
            let mode = try #require(try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int)
            #expect(mode == 0o600)
        }
    }

    @Test func creatingAnExistingNameIsRefusedAndReplacingKeepsTheCreationTime() throws {
        try withStore { store in
            try store.save(ConfigMap(name: "game", data: ["a": "1"]))
            let first = try #require(store.storedConfigMap(namespace: "default", name: "game"))
            #expect(throws: SupervisorError.self) { try store.save(ConfigMap(name: "game", data: ["a": "2"])) }
            do {
                try store.save(ConfigMap(name: "game", data: ["a": "2"]))
            } catch {
                #expect("\(error)" == "Error from server (AlreadyExists): configmaps \"game\" already exists")
            }
            #expect(store.configMap(namespace: "default", name: "game")?.data == ["a": "1"])
            try store.save(ConfigMap(name: "game", data: ["a": "2"]), replacing: true)
            let second = try #require(store.storedConfigMap(namespace: "default", name: "game"))
            #expect(second.object.data == ["a": "2"])
            #expect(second.creationTimestamp == first.creationTimestamp)
            #expect(second.uid == first.uid)
        }
    }

    @Test func deleteRemovesAndAMissingNameIsNotFound() throws {
        try withStore { store in
            try store.save(Secret(name: "creds"))
            try store.delete(.secret, name: "creds")
            #expect(store.secret(namespace: "default", name: "creds") == nil)
            do {
                try store.delete(.secret, name: "creds")
                Issue.record("deleting a missing secret succeeded")
            } catch {
                #expect("\(error)" == "Error from server (NotFound): secrets \"creds\" not found")
            }
        }
    }

    @Test func anImmutableObjectIsNotReplacedByADifferentOne() throws {
        try withStore { store in
            try store.save(Secret(name: "creds", data: ["k": [1]], immutable: true))
            try store.save(Secret(name: "creds", data: ["k": [1]], immutable: true), replacing: true)  // the same: fine
            do {
                try store.save(Secret(name: "creds", data: ["k": [2]], immutable: true), replacing: true)
                Issue.record("an immutable secret was replaced")
            } catch {
                #expect("\(error)" == "The Secret \"creds\" is invalid: data: Forbidden: field is immutable when `immutable` is set")
            }
            try store.save(ConfigMap(name: "game", data: ["a": "1"], immutable: true))
            do {
                try store.save(ConfigMap(name: "game", data: ["a": "2"]), replacing: true)
                Issue.record("an immutable ConfigMap was replaced")
            } catch {
                #expect("\(error)" == "The ConfigMap \"game\" is invalid: [immutable: Forbidden: field is immutable when `immutable` is set, data: Forbidden: field is immutable when `immutable` is set]")
            }
            #expect(store.secret(namespace: "default", name: "creds")?.data == ["k": [1]])
            #expect(store.configMap(namespace: "default", name: "game")?.data == ["a": "1"])
        }
    }

    /// The attack: a name that walks out of the store's directory.
    @Test(arguments: ["../../escape", "a/b", "..", ""])
    func namesThatLeaveTheDirectoryAreRefused(name: String) throws {
        try withStore { store in
            #expect(throws: SupervisorError.self) { try store.save(ConfigMap(name: name)) }
            #expect(throws: SupervisorError.self) { try store.save(Secret(name: "x", namespace: name)) }
            #expect(throws: SupervisorError.self) { try store.delete(.configMap, name: name) }
            #expect(store.configMap(namespace: "default", name: name) == nil)
            let outside = URL(fileURLWithPath: store.root).deletingLastPathComponent().appendingPathComponent("escape.json").path
            #expect(!FileManager.default.fileExists(atPath: outside))
        }
    }
}
