/// A container's environment as the kubelet builds it before creating the container
/// (pkg/kubelet/kubelet_pods.go makeEnvironmentVariables), and its command line with `$(VAR)`
/// expanded (pkg/kubelet/container/helpers.go ExpandContainerCommandAndArgs).
///
/// `envFrom` first, each ConfigMap or Secret's keys with the prefix; then `env` in order, each
/// `value` expanded against what is defined so far, each `valueFrom` resolved; a later variable
/// of a name replaces the earlier one. There are no Services, so no service-link variables.
public struct ContainerEnvironment: Sendable, Equatable {
    /// In order of first definition (the kubelet's order is a Go map's: unspecified).
    public var variables: [EnvVar]

    public init(variables: [EnvVar]) { self.variables = variables }
    /// Why a container cannot be created yet (the kubelet's CreateContainerConfigError), in
    /// the kubelet's words: `configmap "x" not found`, `couldn't find key k in Secret default/x`.
    public struct Failure: Error, Sendable, Equatable, CustomStringConvertible {
        public var description: String
        public init(description: String) { self.description = description }
    }

    public static func resolve(_ container: Container, pod: Pod, context: DownwardAPIContext,
                               objects: some ConfigObjectSource) throws(Failure) -> ContainerEnvironment {
        let namespace = pod.metadata.namespace
        var values: [String: String] = [:]
        var order: [String] = []
        func define(_ name: String, _ value: String) {
            if values.updateValue(value, forKey: name) == nil { order.append(name) }
        }
        var configMaps: [String: ConfigMap] = [:]
        var secrets: [String: Secret] = [:]

        func configMap(_ name: String, optional: Bool) throws(Failure) -> ConfigMap? {
            if let cached = configMaps[name] { return cached }
            guard let found = objects.configMap(namespace: namespace, name: name) else {
                if optional { return nil }
                throw Failure(description: "configmap \"\(name)\" not found")
            }
            configMaps[name] = found
            return found
        }
        func secret(_ name: String, optional: Bool) throws(Failure) -> Secret? {
            if let cached = secrets[name] { return cached }
            guard let found = objects.secret(namespace: namespace, name: name) else {
                if optional { return nil }
                throw Failure(description: "secret \"\(name)\" not found")
            }
            secrets[name] = found
            return found
        }

        for source in container.envFrom {
            let entries: [(String, String)]
            switch source.object {
            case .configMap(let name, let optional):
                guard let object = try configMap(name, optional: optional) else { continue }
                entries = object.data.map { ($0.key, $0.value) }
            case .secret(let name, let optional):
                guard let object = try secret(name, optional: optional) else { continue }
                entries = object.data.map { ($0.key, String(decoding: $0.value, as: UTF8.self)) }
            }
            // Every key is a valid name since names are relaxed (GA in 1.34: printable ASCII but
            // '='), so the kubelet no longer skips keys nor records InvalidEnvironmentVariableNames.
            for (key, value) in entries.sorted(by: { $0.0 < $1.0 }) { define(source.prefix + key, value) }
        }

        for variable in container.env {
            var value = variable.value
            if !value.isEmpty {
                value = Expansion.expand(value, Expansion.mapping(values))
            } else if let source = variable.valueFrom {
                switch source {
                case .fieldRef(let selector):
                    value = DownwardAPI.fieldValue(selector.fieldPath, pod: pod, context: context) ?? ""
                case .resourceFieldRef(let selector):
                    var target = container
                    if !selector.containerName.isEmpty {
                        guard let named = (pod.spec.containers).first(where: { $0.name == selector.containerName }) else {
                            throw Failure(description: "container \(selector.containerName) not found")
                        }
                        target = named
                    }
                    value = DownwardAPI.resourceValue(selector, container: target, context: context) ?? ""
                case .configMapKeyRef(let reference):
                    guard let object = try configMap(reference.name, optional: reference.optional) else { continue }
                    guard let found = object.data[reference.key] else {
                        if reference.optional { continue }
                        throw Failure(description: "couldn't find key \(reference.key) in ConfigMap \(namespace)/\(reference.name)")
                    }
                    value = found
                case .secretKeyRef(let reference):
                    guard let object = try secret(reference.name, optional: reference.optional) else { continue }
                    guard let found = object.data[reference.key] else {
                        if reference.optional { continue }
                        throw Failure(description: "couldn't find key \(reference.key) in Secret \(namespace)/\(reference.name)")
                    }
                    value = String(decoding: found, as: UTF8.self)
                }
            }
            define(variable.name, value)
        }
        return ContainerEnvironment(variables: order.map { EnvVar(name: $0, value: values[$0] ?? "") })
    }

    /// The container as it is created: this environment in `env` (nothing left to resolve),
    /// `command` and `args` with `$(VAR)` expanded against it.
    public func applied(to container: Container) -> Container {
        var result = container
        let table = Dictionary(variables.map { ($0.name, $0.value) }, uniquingKeysWith: { $1 })
        let mapping = Expansion.mapping(table)
        result.command = container.command.map { Expansion.expand($0, mapping) }
        result.args = container.args.map { Expansion.expand($0, mapping) }
        result.env = variables
        result.envFrom = []
        return result
    }
}
