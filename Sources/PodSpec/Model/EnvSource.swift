/// `env[].valueFrom`: exactly one source for a variable's value, resolved when the container starts.
public enum EnvVarSource: Sendable, Equatable {
    case fieldRef(ObjectFieldSelector)
    case resourceFieldRef(ResourceFieldSelector)
    case configMapKeyRef(KeyReference)
    case secretKeyRef(KeyReference)
}

/// `configMapKeyRef` / `secretKeyRef`: one key of a ConfigMap or Secret of the pod's namespace.
public struct KeyReference: Sendable, Equatable {
    public var name: String
    public var key: String
    /// A missing object or key is then skipped instead of keeping the container from starting.
    public var optional: Bool

    public init(name: String, key: String, optional: Bool = false) {
        self.name = name
        self.key = key
        self.optional = optional
    }
}

/// `envFrom[]`: every key of a ConfigMap or Secret as a variable, `prefix` prepended.
public struct EnvFromSource: Sendable, Equatable {
    public enum Object: Sendable, Equatable {
        case configMap(name: String, optional: Bool)
        case secret(name: String, optional: Bool)
    }

    public var prefix: String
    public var object: Object

    public init(prefix: String = "", object: Object) {
        self.prefix = prefix
        self.object = object
    }
}
