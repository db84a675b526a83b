public struct Volume: Sendable, Equatable {
    /// A DNS-1123 label, unique in the pod; containers mount the volume by this name.
    public var name: String
    public var source: VolumeSource

    public init(name: String, source: VolumeSource) {
        self.name = name
        self.source = source
    }
}

public enum VolumeSource: Sendable, Equatable {
    /// Created empty with the pod, kept across container restarts, removed with the pod.
    case emptyDir(EmptyDirVolumeSource)
    /// A file or directory of the host.
    case hostPath(HostPathVolumeSource)
    /// The keys of a ConfigMap as files (on disk, under the pod's directory).
    case configMap(ConfigMapVolumeSource)
    /// The keys of a Secret as files, on a tmpfs of the pod's.
    case secret(SecretVolumeSource)
    /// Fields of the pod and containers' resources as files.
    case downwardAPI(DownwardAPIVolumeSource)
    /// ConfigMaps, Secrets and downward API files in one directory, on a tmpfs of the pod's.
    case projected(ProjectedVolumeSource)
}

public struct EmptyDirVolumeSource: Sendable, Equatable {
    public var medium: StorageMedium
    public var sizeLimit: Quantity?

    public init(medium: StorageMedium = .default, sizeLimit: Quantity? = nil) {
        self.medium = medium
        self.sizeLimit = sizeLimit
    }
}

public enum StorageMedium: String, Sendable, Equatable, CaseIterable {
    /// The filesystem that holds the pod's state.
    case `default` = ""
    /// A tmpfs.
    case memory = "Memory"
}

public struct HostPathVolumeSource: Sendable, Equatable {
    /// Absolute, without `..`.
    public var path: String
    public var type: HostPathType

    public init(path: String, type: HostPathType = .unset) {
        self.path = path
        self.type = type
    }
}

/// What must exist at a hostPath before it is mounted.
public enum HostPathType: String, Sendable, Equatable, CaseIterable {
    /// No check.
    case unset = ""
    case directoryOrCreate = "DirectoryOrCreate"
    case directory = "Directory"
    case fileOrCreate = "FileOrCreate"
    case file = "File"
    case socket = "Socket"
    case charDevice = "CharDevice"
    case blockDevice = "BlockDevice"
}
