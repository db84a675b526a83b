import PodSpec

/// `lifecycle` of `-o json`, as the API server stores it (httpGet's path and scheme defaulted).
extension SpecJSON {
    static func lifecycle(_ l: Lifecycle) -> JSON {
        .members(["postStart": l.postStart.map(handler), "preStop": l.preStop.map(handler)])
    }

    static func handler(_ h: LifecycleHandler) -> JSON {
        switch h {
        case .exec(let command):
            .object(["exec": .object(["command": .array(command.map(JSON.string))])])
        case .httpGet(let action):
            .object(["httpGet": .members([
                "path": .string(action.path),
                "port": port(action.port),
                "host": action.host.map(JSON.string),
                "scheme": .string(action.scheme.rawValue),
                "httpHeaders": action.httpHeaders.isEmpty ? nil : .array(action.httpHeaders.map {
                    .object(["name": .string($0.name), "value": .string($0.value)])
                }),
            ])])
        case .tcpSocket(let action):
            .object(["tcpSocket": .members(["port": port(action.port), "host": action.host.map(JSON.string)])])
        case .sleep(let seconds):
            .object(["sleep": .object(["seconds": .int(Int(seconds))])])
        }
    }
}
