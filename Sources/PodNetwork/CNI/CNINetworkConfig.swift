import GoFormat

/// A network configuration list (.conflist); a single-plugin .conf is wrapped into a list as
/// libcni's `ConfListFromConf` does.
public struct CNINetworkConfig: Sendable {
    public let name: String
    public let cniVersion: String
    /// The file's bytes as read. They are kept with each attachment, and DEL parses those, never a
    /// re-read file (a config changed between ADD and DEL leaks chains and leases).
    public let bytes: [UInt8]
    /// The file path, or "swiftlet's default network".
    public let source: String
    /// The plugins' `type`s in chain order, e.g. ["bridge", "portmap", "firewall"].
    public var pluginTypes: [String]
    /// What ADD and DEL run (pluginTypes is informational; changing it changes nothing run).
    let plugins: [CNIPluginConfig]

    /// Parses and checks `bytes`: a list needs `name`, `cniVersion` and `plugins[]`, each with a
    /// `type`; an object with a `type` and no `plugins` is a single plugin .conf.
    public init(bytes: [UInt8], source: String) throws(NetworkError) {
        func invalid(_ why: String) -> NetworkError {
            NetworkError("\(source): invalid CNI network configuration: \(why)")
        }
        guard let top = JSONText.object(bytes) else {
            throw NetworkError("\(source): invalid CNI network configuration: not a JSON object")
        }
        guard let name = top["name"] as? String, !name.isEmpty else { throw invalid("missing \"name\"") }
        guard let version = top["cniVersion"] as? String, !version.isEmpty else { throw invalid("missing \"cniVersion\"") }

        let pluginObjects: [[String: Any]]
        if let list = top["plugins"] {
            guard let objects = list as? [Any], !objects.isEmpty else { throw invalid("\"plugins\" must be a non-empty list") }
            pluginObjects = try objects.enumerated().map { (index, element) throws(NetworkError) in
                guard let object = element as? [String: Any] else { throw invalid("plugins[\(index)] is not an object") }
                return object
            }
        } else if top["type"] != nil {
            pluginObjects = [top]   // a .conf: the file is the one plugin
        } else {
            throw invalid("no \"plugins\" list (and no \"type\" for a single-plugin .conf)")
        }

        var plugins: [CNIPluginConfig] = []
        for (index, object) in pluginObjects.enumerated() {
            guard let type = object["type"] as? String, !type.isEmpty else { throw invalid("plugins[\(index)] has no \"type\"") }
            guard !type.contains("/"), type != ".", type != ".." else { throw invalid("plugins[\(index)] type \(goQuoted(type)) is not a plugin name") }
            guard let plugin = CNIPluginConfig(object: object, networkName: name, cniVersion: version) else {
                throw invalid("plugins[\(index)] cannot be re-encoded as JSON")
            }
            plugins.append(plugin)
        }
        self.name = name
        self.cniVersion = version
        self.bytes = bytes
        self.source = source
        self.plugins = plugins
        self.pluginTypes = plugins.map(\.type)
    }
}

/// One plugin of a list, ready to be given on stdin (libcni `buildOneConfig`).
struct CNIPluginConfig: Sendable {
    let type: String
    /// The capabilities the plugin declares as true (`"capabilities": {"portMappings": true}`).
    let capabilities: Set<String>
    /// The plugin object minus `capabilities`, plus the list's `cniVersion` and `name`, as JSON.
    let base: [UInt8]

    init?(object: [String: Any], networkName: String, cniVersion: String) {
        guard let type = object["type"] as? String else { return nil }
        var object = object
        let declared = object.removeValue(forKey: "capabilities") as? [String: Any] ?? [:]
        object["cniVersion"] = cniVersion
        object["name"] = networkName
        guard let base = JSONText.serialize(object) else { return nil }
        self.type = type
        self.capabilities = Set(declared.compactMap { key, value in (value as? Bool) == true ? key : nil })
        self.base = base
    }

    /// The stdin of one invocation: the base object plus `runtimeConfig` (only capabilities this
    /// plugin declares; swiftlet has one, portMappings) and `prevResult` (the previous plugin's
    /// stdout, passed on as text). Both are appended to the object's text: should the plugin object
    /// itself carry such a key, the later one wins when the plugin decodes it.
    func stdin(portMappings: [PortMapping], prevResult: String?) -> [UInt8] {
        var extra = ""
        if capabilities.contains("portMappings") {
            extra += ",\"runtimeConfig\":{\"portMappings\":[" + portMappings.map(Self.json).joined(separator: ",") + "]}"
        }
        if let prevResult {
            extra += ",\"prevResult\":" + prevResult
        }
        guard !extra.isEmpty else { return base }
        // base is a serialised object with at least "type": it ends with "}" and is never "{}".
        return Array(base.dropLast()) + Array(extra.utf8) + [UInt8(ascii: "}")]
    }

    private static func json(_ mapping: PortMapping) -> String {
        "{\"hostPort\":\(mapping.hostPort),\"containerPort\":\(mapping.containerPort),"
            + "\"protocol\":\(JSONText.quote(mapping.protocol)),\"hostIP\":\(JSONText.quote(mapping.hostIP))}"
    }
}
