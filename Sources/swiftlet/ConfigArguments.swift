import Supervisor

/// `configmap NAME...`, `secret NAME...`, `configmap/NAME`, `secret/NAME`: what `delete`
/// takes for the state root's ConfigMaps and Secrets, beside pods.
enum ConfigArguments {
    static func kind(_ type: String) -> ConfigStore.Kind? {
        switch type.lowercased() {
        case "configmap", "configmaps", "cm": .configMap
        case "secret", "secrets": .secret
        default: nil
        }
    }

    /// The objects the arguments name, or nil when they name pods (or nothing of ours).
    static func objects(_ arguments: [String]) -> [(kind: ConfigStore.Kind, name: String)]? {
        guard let first = arguments.first else { return nil }
        if let kind = kind(first) { return arguments.dropFirst().map { (kind, $0) } }
        var result: [(ConfigStore.Kind, String)] = []
        for argument in arguments {
            guard let slash = argument.firstIndex(of: "/"), let kind = kind(String(argument[..<slash])) else { return nil }
            result.append((kind, String(argument[argument.index(after: slash)...])))
        }
        return result
    }

    /// kubectl's singular resource name in `configmap "x" deleted`.
    static func singular(_ kind: ConfigStore.Kind) -> String {
        kind == .configMap ? "configmap" : "secret"
    }
}
