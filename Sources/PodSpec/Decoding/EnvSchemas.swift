/// The objects of `env[].valueFrom` and `envFrom[]`.
extension Schema {
    static let envVarSource = Schema(
        fields: ["fieldRef", "resourceFieldRef", "configMapKeyRef", "secretKeyRef"],
        unsupported: ["fileKeyRef"])

    static let objectFieldSelector = Schema(fields: ["apiVersion", "fieldPath"])

    static let resourceFieldSelector = Schema(fields: ["containerName", "resource", "divisor"])

    /// `configMapKeyRef` and `secretKeyRef`.
    static let keySelector = Schema(fields: ["name", "key", "optional"])

    static let envFromSource = Schema(fields: ["prefix", "configMapRef", "secretRef"])

    /// `configMapRef` and `secretRef`.
    static let envFromObject = Schema(fields: ["name", "optional"])
}
