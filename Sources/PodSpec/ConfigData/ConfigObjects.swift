/// A `v1` ConfigMap: what pods read through `configMapKeyRef`, `envFrom` and `configMap` volumes.
/// Kept in the state root once created (`swiftlet create -f`, or a document beside the pods).
public struct ConfigMap: Sendable, Equatable, Codable {
    public var name: String
    /// Defaults to `default`.
    public var namespace: String
    /// UTF-8 values: env vars read only these, as the kubelet does.
    public var data: [String: String]
    /// Bytes: volumes see them as files beside `data`'s.
    public var binaryData: [String: [UInt8]]
    public var immutable: Bool

    public init(name: String, namespace: String = "default", data: [String: String] = [:],
                binaryData: [String: [UInt8]] = [:], immutable: Bool = false) {
        self.name = name
        self.namespace = namespace
        self.data = data
        self.binaryData = binaryData
        self.immutable = immutable
    }
}

/// A `v1` Secret, with `data` base64-decoded and `stringData` merged in (a `stringData` key wins,
/// as the API server merges them). Volumes of secrets are written to tmpfs only.
public struct Secret: Sendable, Equatable, Codable {
    public var name: String
    public var namespace: String
    public var data: [String: [UInt8]]
    /// Defaults to `Opaque`.
    public var type: String
    public var immutable: Bool

    public init(name: String, namespace: String = "default", data: [String: [UInt8]] = [:],
                type: String = "Opaque", immutable: Bool = false) {
        self.name = name
        self.namespace = namespace
        self.data = data
        self.type = type
        self.immutable = immutable
    }
}

/// Where a pod's references to ConfigMaps and Secrets are looked up when a container starts (the
/// kubelet reads them from the API server at that moment; swiftlet from its state root).
public protocol ConfigObjectSource: Sendable {
    func configMap(namespace: String, name: String) -> ConfigMap?
    func secret(namespace: String, name: String) -> Secret?
}

/// A fixed set of objects: a file's own documents, and tests.
public struct ConfigObjects: ConfigObjectSource, Equatable {
    public var configMaps: [ConfigMap]
    public var secrets: [Secret]

    public init(configMaps: [ConfigMap] = [], secrets: [Secret] = []) {
        self.configMaps = configMaps
        self.secrets = secrets
    }

    public func configMap(namespace: String, name: String) -> ConfigMap? {
        configMaps.first { $0.namespace == namespace && $0.name == name }
    }

    public func secret(namespace: String, name: String) -> Secret? {
        secrets.first { $0.namespace == namespace && $0.name == name }
    }
}
