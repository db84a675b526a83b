import ContainerRuntime
import Foundation
import Glibc
import PodSpec

/// The ConfigMaps and Secrets of a state root, where pods' references are looked up when a
/// container starts (the kubelet asks the API server at that moment):
///
///     <root>/configmaps/<namespace>/<name>.json   (dirs 0700, files 0600)
///     <root>/secrets/<namespace>/<name>.json
///
/// Files only, no daemon needed: `create` claims a name with `link(2)` (atomic, fails when the
/// name exists), a replacement is a rename, so a reader sees the old or the new object.
public struct ConfigStore: ConfigObjectSource {
    public let root: String

    public init(root: String) { self.root = root }

    public enum Kind: String, Sendable {
        case configMap = "configmaps"
        case secret = "secrets"
    }

    /// An object with the time it was created (AGE in `get configmaps`).
    public struct Stored<Object: Sendable>: Sendable {
        public var object: Object
        public var creationTimestamp: Date
        public var uid: String
    }

    public func kindDir(_ kind: Kind) -> String { root + "/" + kind.rawValue }
    public func namespaceDir(_ kind: Kind, namespace: String) -> String { kindDir(kind) + "/" + namespace }
    public func path(_ kind: Kind, namespace: String, name: String) -> String {
        namespaceDir(kind, namespace: namespace) + "/" + name + ".json"
    }

    // MARK: lookup (ConfigObjectSource)

    public func configMap(namespace: String, name: String) -> ConfigMap? {
        storedConfigMap(namespace: namespace, name: name)?.object
    }

    public func secret(namespace: String, name: String) -> Secret? {
        storedSecret(namespace: namespace, name: name)?.object
    }

    public func storedConfigMap(namespace: String, name: String) -> Stored<ConfigMap>? {
        load(.configMap, namespace: namespace, name: name)
    }

    public func storedSecret(namespace: String, name: String) -> Stored<Secret>? {
        load(.secret, namespace: namespace, name: name)
    }

    // MARK: save

    /// Stores a ConfigMap. Without `replacing`, an existing name is refused with kubectl's
    /// AlreadyExists text; with it, the object is replaced (its creation time kept).
    public func save(_ configMap: ConfigMap, replacing: Bool = false) throws {
        try save(configMap, kind: .configMap, namespace: configMap.namespace, name: configMap.name, replacing: replacing)
    }

    public func save(_ secret: Secret, replacing: Bool = false) throws {
        try save(secret, kind: .secret, namespace: secret.namespace, name: secret.name, replacing: replacing)
    }

    // MARK: delete

    /// Removes an object; NotFound (kubectl's text) when there is none.
    public func delete(_ kind: Kind, namespace: String = "default", name: String) throws {
        try Self.checkComponent(namespace, "namespace")
        try Self.checkComponent(name, "name")
        if unlink(path(kind, namespace: namespace, name: name)) != 0 {
            if errno == ENOENT { throw Self.notFound(kind, name) }
            throw SupervisorError("cannot delete \(path(kind, namespace: namespace, name: name)): \(Errno.current)")
        }
    }

    // MARK: list

    /// Every ConfigMap of a namespace (all namespaces when nil), by namespace then name.
    public func configMaps(namespace: String? = nil) -> [Stored<ConfigMap>] {
        names(.configMap, namespace: namespace).compactMap { load(.configMap, namespace: $0.namespace, name: $0.name) }
    }

    public func secrets(namespace: String? = nil) -> [Stored<Secret>] {
        names(.secret, namespace: namespace).compactMap { load(.secret, namespace: $0.namespace, name: $0.name) }
    }

    public static func notFound(_ kind: Kind, _ name: String) -> SupervisorError {
        SupervisorError("Error from server (NotFound): \(kind.rawValue) \"\(name)\" not found")
    }

    public static func alreadyExists(_ kind: Kind, _ name: String) -> SupervisorError {
        SupervisorError("Error from server (AlreadyExists): \(kind.rawValue) \"\(name)\" already exists")
    }

    // MARK: -

    private func names(_ kind: Kind, namespace: String?) -> [(namespace: String, name: String)] {
        let fileManager = FileManager.default
        let namespaces = namespace.map { [$0] }
            ?? ((try? fileManager.contentsOfDirectory(atPath: kindDir(kind))) ?? []).sorted()
        var result: [(String, String)] = []
        for namespace in namespaces where (try? Self.checkComponent(namespace, "namespace")) != nil {
            let files = (try? fileManager.contentsOfDirectory(atPath: namespaceDir(kind, namespace: namespace))) ?? []
            for file in files.sorted() where file.hasSuffix(".json") {
                result.append((namespace, String(file.dropLast(5))))
            }
        }
        return result
    }

    private func load<Object: StorableConfigObject>(_ kind: Kind, namespace: String, name: String) -> Stored<Object>? {
        guard (try? Self.checkComponent(namespace, "namespace")) != nil,
              (try? Self.checkComponent(name, "name")) != nil,
              let data = FileManager.default.contents(atPath: path(kind, namespace: namespace, name: name))
        else { return nil }
        guard let file = try? Self.decoder.decode(ConfigObjectFile.self, from: data) else { return nil }
        return Stored(object: Object(file: file), creationTimestamp: file.creationTimestamp, uid: file.uid)
    }

    private func save<Object: StorableConfigObject>(_ object: Object, kind: Kind, namespace: String, name: String,
                                                  replacing: Bool) throws {
        try Self.checkComponent(namespace, "namespace")
        try Self.checkComponent(name, "name")
        for dir in [root, kindDir(kind), namespaceDir(kind, namespace: namespace)] where mkdir(dir, 0o700) != 0 && errno != EEXIST {
            throw SupervisorError("cannot create \(dir): \(Errno.current)")
        }
        let target = path(kind, namespace: namespace, name: name)
        let previous: Stored<Object>? = load(kind, namespace: namespace, name: name)
        if previous != nil && !replacing { throw Self.alreadyExists(kind, name) }
        if let previous {
            // ValidateConfigMapUpdate / ValidateSecretUpdate: an immutable object stays as it is.
            let fields = object.immutableFieldsChanged(from: previous.object)
            if !fields.isEmpty {
                let errors = fields.map { "\($0): Forbidden: field is immutable when `immutable` is set" }
                let kindName = kind == .configMap ? "ConfigMap" : "Secret"
                throw SupervisorError("The \(kindName) \"\(name)\" is invalid: "
                                      + (errors.count == 1 ? errors[0] : "[" + errors.joined(separator: ", ") + "]"))
            }
        }
        let file = object.file(creationTimestamp: previous?.creationTimestamp ?? Date(),
                               uid: previous?.uid ?? UUID().uuidString.lowercased())
        let data = try Self.encoder.encode(file)
        if replacing {
            try PodStore.writeAtomically(data, to: target)
            return
        }
        // Written under a private name, then linked into place: link(2) fails with EEXIST when
        // another `create` won the name meanwhile, and readers never see half a file.
        let temporary = namespaceDir(kind, namespace: namespace) + "/.\(name).\(getpid()).tmp"
        try PodStore.writeAtomically(data, to: temporary)
        defer { unlink(temporary) }
        if link(temporary, target) != 0 {
            if errno == EEXIST { throw Self.alreadyExists(kind, name) }
            throw SupervisorError("cannot write \(target): \(Errno.current)")
        }
    }

    /// Names become path components: nothing that could leave the directory (`..`, `/`). The
    /// decoder already requires DNS subdomains; this guards every other caller.
    static func checkComponent(_ value: String, _ what: String) throws {
        let valid = !value.isEmpty && !value.hasPrefix(".") && !value.contains("/") && !value.contains("\0")
            && value.utf8.count <= 253
        if !valid { throw SupervisorError("invalid \(what) \"\(value)\"") }
    }

    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }()
    private static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }()
}

/// The file of one object: bytes as base64 (JSONEncoder's `Data`), as the API server keeps them.
struct ConfigObjectFile: Codable {
    var name: String
    var namespace: String
    var data: [String: String]?
    var binaryData: [String: Data]?
    var secretData: [String: Data]?
    var type: String?
    var immutable: Bool
    var creationTimestamp: Date
    var uid: String
}

/// ConfigMap and Secret, as `ConfigStore` writes and reads them.
protocol StorableConfigObject: Sendable {
    init(file: ConfigObjectFile)
    func file(creationTimestamp: Date, uid: String) -> ConfigObjectFile
    /// The fields a replacement may not change once `previous` is immutable, in the API server's order.
    func immutableFieldsChanged(from previous: Self) -> [String]
}

extension ConfigMap: StorableConfigObject {
    init(file: ConfigObjectFile) {
        self.init(name: file.name, namespace: file.namespace, data: file.data ?? [:],
                  binaryData: (file.binaryData ?? [:]).mapValues { Array($0) }, immutable: file.immutable)
    }

    func file(creationTimestamp: Date, uid: String) -> ConfigObjectFile {
        ConfigObjectFile(name: name, namespace: namespace, data: data, binaryData: binaryData.mapValues { Data($0) },
                         immutable: immutable, creationTimestamp: creationTimestamp, uid: uid)
    }

    func immutableFieldsChanged(from previous: ConfigMap) -> [String] {
        guard previous.immutable else { return [] }
        return [("immutable", !immutable), ("data", data != previous.data), ("binaryData", binaryData != previous.binaryData)]
            .filter(\.1).map(\.0)
    }
}

extension Secret: StorableConfigObject {
    init(file: ConfigObjectFile) {
        self.init(name: file.name, namespace: file.namespace, data: (file.secretData ?? [:]).mapValues { Array($0) },
                  type: file.type ?? "Opaque", immutable: file.immutable)
    }

    func file(creationTimestamp: Date, uid: String) -> ConfigObjectFile {
        ConfigObjectFile(name: name, namespace: namespace, secretData: data.mapValues { Data($0) }, type: type,
                         immutable: immutable, creationTimestamp: creationTimestamp, uid: uid)
    }

    func immutableFieldsChanged(from previous: Secret) -> [String] {
        guard previous.immutable else { return [] }
        return [("immutable", !immutable), ("data", data != previous.data)].filter(\.1).map(\.0)
    }
}
