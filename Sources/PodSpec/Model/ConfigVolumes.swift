/// Volumes whose files swiftlet writes itself when the pod starts: `configMap`, `secret`,
/// `downwardAPI` and `projected` (the kubelet's atomic writer layout, read-only in containers).

/// One key of a ConfigMap or Secret written as a file (`items[]`).
public struct KeyToPath: Sendable, Equatable {
    public var key: String
    /// Relative, without `..`.
    public var path: String
    /// Permission bits 0...0777; nil takes the volume's `defaultMode`.
    public var mode: Int32?

    public init(key: String, path: String, mode: Int32? = nil) {
        self.key = key
        self.path = path
        self.mode = mode
    }
}

/// The API server's default `defaultMode` of these volumes (`0644`).
public let defaultVolumeFileMode: Int32 = 0o644

/// `configMap` (and a `projected` source of one, where `defaultMode` is the projection's).
public struct ConfigMapVolumeSource: Sendable, Equatable {
    public var name: String
    /// Empty: every key of `data` and `binaryData`, each as a file named after it.
    public var items: [KeyToPath]
    public var defaultMode: Int32
    /// A missing ConfigMap (or key) gives an empty volume instead of holding the pod back.
    public var optional: Bool

    public init(name: String, items: [KeyToPath] = [], defaultMode: Int32 = defaultVolumeFileMode, optional: Bool = false) {
        self.name = name
        self.items = items
        self.defaultMode = defaultMode
        self.optional = optional
    }
}

/// `secret` (and a `projected` source of one). Written to a tmpfs only, never to a disk.
public struct SecretVolumeSource: Sendable, Equatable {
    public var secretName: String
    public var items: [KeyToPath]
    public var defaultMode: Int32
    public var optional: Bool

    public init(secretName: String, items: [KeyToPath] = [], defaultMode: Int32 = defaultVolumeFileMode,
                optional: Bool = false) {
        self.secretName = secretName
        self.items = items
        self.defaultMode = defaultMode
        self.optional = optional
    }
}

/// One file of a `downwardAPI` volume: a field of the pod, or a container's limit or request.
public struct DownwardAPIVolumeFile: Sendable, Equatable {
    public enum Value: Sendable, Equatable {
        case field(ObjectFieldSelector)
        /// `containerName` is required here.
        case resource(ResourceFieldSelector)
    }

    public var path: String
    public var value: Value
    public var mode: Int32?

    public init(path: String, value: Value, mode: Int32? = nil) {
        self.path = path
        self.value = value
        self.mode = mode
    }
}

public struct DownwardAPIVolumeSource: Sendable, Equatable {
    public var items: [DownwardAPIVolumeFile]
    public var defaultMode: Int32

    public init(items: [DownwardAPIVolumeFile] = [], defaultMode: Int32 = defaultVolumeFileMode) {
        self.items = items
        self.defaultMode = defaultMode
    }
}

/// `projected`: several sources in one directory. `serviceAccountToken`, `clusterTrustBundle`
/// and `podCertificate` are refused by name (no API server issues them here).
public struct ProjectedVolumeSource: Sendable, Equatable {
    public enum Source: Sendable, Equatable {
        case configMap(ConfigMapVolumeSource)
        case secret(SecretVolumeSource)
        case downwardAPI(DownwardAPIVolumeSource)
    }

    public var sources: [Source]
    public var defaultMode: Int32

    public init(sources: [Source] = [], defaultMode: Int32 = defaultVolumeFileMode) {
        self.sources = sources
        self.defaultMode = defaultMode
    }
}
