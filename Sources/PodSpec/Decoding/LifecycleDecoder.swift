/// `lifecycle`, `terminationMessagePath` and `terminationMessagePolicy` of a container, with the
/// API server's rules (validation.go `validateLifecycle`, `validateHandler`): each hook has
/// exactly one handler; `httpGet` defaults its path to `/` and its scheme to HTTP; a port is a
/// valid number or port name (named ports are resolved when the hook runs, as the kubelet does).
enum LifecycleDecoder {
    static func decode(_ container: ObjectReader, into decoded: inout Container) {
        if let lifecycle = container.object("lifecycle", schema: .lifecycle) {
            decoded.lifecycle = Lifecycle(postStart: handler("postStart", of: lifecycle),
                                          preStop: handler("preStop", of: lifecycle))
        }
        decoded.terminationMessagePolicy = container.enumeration(
            "terminationMessagePolicy", default: TerminationMessagePolicy.file, supported: [.file, .fallbackToLogsOnError])
        if let path = container.string("terminationMessagePath"), !path.isEmpty {
            // Bind-mounted into the container: the OCI runtime needs an absolute destination (the
            // API server leaves it to the runtime to fail); said here rather than at start.
            if !path.hasPrefix("/") {
                container.diagnostics.invalid(container.path.child("terminationMessagePath"), .string(path),
                                              "must be an absolute path")
            }
            decoded.terminationMessagePath = path
        }
    }

    /// The sleep action must fit in the pod's grace period (`validateSleepAction`, zero allowed
    /// as with PodLifecycleSleepActionAllowZero, GA in 1.34). Checked once the pod's grace
    /// period is known.
    static func checkSleep(_ containers: [Container], gracePeriod: Int64, path: FieldPath, diagnostics: Diagnostics) {
        for (i, c) in containers.enumerated() {
            for (key, handler) in [("postStart", c.lifecycle?.postStart), ("preStop", c.lifecycle?.preStop)] {
                guard case .sleep(let seconds)? = handler, seconds < 0 || seconds > gracePeriod else { continue }
                diagnostics.invalid(path.index(i).child("lifecycle").child(key).child("sleep"), .int(seconds),
                                    "must be non-negative and less than terminationGracePeriodSeconds (\(gracePeriod))")
            }
        }
    }

    private static func handler(_ key: String, of lifecycle: ObjectReader) -> LifecycleHandler? {
        guard let hook = lifecycle.object(key, schema: .lifecycleHandler) else { return nil }
        let diagnostics = hook.diagnostics
        var decoded: LifecycleHandler?
        var count = 0
        for action in ["exec", "httpGet", "tcpSocket", "sleep"] where hook.has(action) {
            count += 1
            guard count == 1 else {
                diagnostics.forbidden(hook.path.child(action), "may not specify more than 1 handler type")
                continue
            }
            decoded = decodeAction(action, of: hook)
        }
        if count == 0 { diagnostics.required(hook.path, "must specify a handler type") }
        return decoded
    }

    private static func decodeAction(_ key: String, of hook: ObjectReader) -> LifecycleHandler? {
        switch key {
        case "exec":
            return hook.object(key, schema: .execAction).map { exec in
                let command = exec.strings("command")
                if command.isEmpty { exec.diagnostics.required(exec.path.child("command")) }
                return .exec(command)
            }
        case "httpGet":
            return hook.object(key, schema: .httpGetAction).flatMap { action in
                let scheme = action.enumeration("scheme", default: URIScheme.http, supported: [.http, .https])
                let headers = action.objects("httpHeaders", schema: .httpHeader).map { header in
                    let name = header.string("name") ?? ""
                    action.diagnostics.invalid(action.path.child("httpHeaders"), name, NameRules.httpHeaderName(name))
                    return HTTPHeader(name: name, value: header.string("value") ?? "")
                }
                guard let port = port(of: action) else { return nil }
                let path = action.string("path") ?? ""
                return .httpGet(HTTPGetAction(path: path.isEmpty ? "/" : path, port: port, host: host(of: action),
                                              scheme: scheme, httpHeaders: headers))
            }
        case "tcpSocket":
            return hook.object(key, schema: .tcpSocketAction).flatMap { action in
                port(of: action).map { .tcpSocket(TCPSocketAction(port: $0, host: host(of: action))) }
            }
        default:
            return hook.object(key, schema: .sleepAction).map { sleep in
                .sleep(seconds: sleep.int64("seconds") ?? 0)
            }
        }
    }

    /// `ValidatePortNumOrName`.
    private static func port(of action: ObjectReader) -> PortReference? {
        let path = action.path.child("port")
        guard let port = action.port("port") else {
            if !action.has("port") { action.diagnostics.required(path) }
            return nil
        }
        switch port {
        case .number(let number):
            if !(1...65535).contains(number) {
                action.diagnostics.invalid(path, .int(Int64(number)), "must be between 1 and 65535, inclusive")
            }
        case .name(let name):
            action.diagnostics.invalid(path, name, NameRules.portName(name))
        }
        return port
    }

    private static func host(of action: ObjectReader) -> String? {
        action.string("host").flatMap { $0.isEmpty ? nil : $0 }
    }
}
