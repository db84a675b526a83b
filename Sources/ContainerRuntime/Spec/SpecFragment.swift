/// One part of a config on its own, as clients pass them: `exec --process FILE` (a process
/// object), `update --resources FILE` (linux.resources), and the hooks the runtime keeps apart.
/// Decoded and validated exactly as inside config.json, by placing the part in the smallest valid
/// config; errors name `source` instead of config.json's path.
public enum SpecFragment {
    public enum Part: String {
        case process
        case resources = "linux.resources"
        case hooks
    }

    public static func decode(_ value: JSONValue, as part: Part, source: String) throws(RuntimeError) -> OCISpec {
        var process: JSONValue = .object(["args": .array(["true"]), "cwd": "/", "user": .object(["uid": 0, "gid": 0])])
        var linux: JSONObject = ["namespaces": .array([.object(["type": "mount"])])]
        var config: JSONObject = ["ociVersion": "1.0.2", "root": .object(["path": "/"])]
        switch part {
        case .process: process = value
        case .resources: linux["resources"] = value
        case .hooks: config["hooks"] = value
        }
        config["process"] = process
        config["linux"] = .object(linux)
        do { return try SpecDecoder.decode(.object(config)) } catch {
            throw .spec(error.description.replacingAll("config.json: \(part.rawValue).", with: "\(source): ")
                .replacingAll("config.json: \(part.rawValue)", with: source))
        }
    }
}
