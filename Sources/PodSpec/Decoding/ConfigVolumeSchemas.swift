/// The fields of `configMap`, `secret`, `downwardAPI` and `projected` volumes.
extension Schema {
    static let configMapVolume = Schema(fields: ["name", "items", "defaultMode", "optional"])
    static let secretVolume = Schema(fields: ["secretName", "items", "defaultMode", "optional"])
    static let keyToPath = Schema(fields: ["key", "path", "mode"])
    static let downwardAPIVolume = Schema(fields: ["items", "defaultMode"])
    static let downwardAPIVolumeFile = Schema(fields: ["path", "fieldRef", "resourceFieldRef", "mode"])
    static let volumeFieldRef = Schema(fields: ["apiVersion", "fieldPath"])
    static let volumeResourceFieldRef = Schema(fields: ["containerName", "resource", "divisor"])
    static let projectedVolume = Schema(fields: ["sources", "defaultMode"])
    /// Service account tokens, trust bundles and pod certificates come from an API server.
    static let volumeProjection = Schema(fields: ["configMap", "secret", "downwardAPI"],
                                         unsupported: ["serviceAccountToken", "clusterTrustBundle", "podCertificate"])
    static let configMapProjection = Schema(fields: ["name", "items", "optional"])
    static let secretProjection = Schema(fields: ["name", "items", "optional"])
    static let downwardAPIProjection = Schema(fields: ["items"])
}
