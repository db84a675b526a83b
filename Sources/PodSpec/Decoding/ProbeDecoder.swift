/// A liveness, readiness or startup probe, with the rules of `kubelet-probes.md`: exactly one
/// handler; timeout 0 means 1; period and thresholds at least 1; success threshold 1 for liveness
/// and startup; a probe-level grace period only where a failure kills the container.
enum ProbeDecoder {
    static func decode(_ probe: ObjectReader, kind: ProbeKind, ports: [ContainerPort], portsPath: FieldPath) -> Probe? {
        let diagnostics = probe.diagnostics
        let path = probe.path
        let ports = PortCheck(ports: ports, portsPath: portsPath, diagnostics: diagnostics)

        var handler: Probe.Handler?
        var handlerCount = 0
        for key in ["exec", "httpGet", "tcpSocket", "grpc"] where probe.has(key) {
            handlerCount += 1
            guard handlerCount == 1 else {
                diagnostics.forbidden(path.child(key), "may not specify more than 1 handler type")
                continue
            }
            handler = decodeHandler(key, of: probe, ports: ports)
        }
        if handlerCount == 0 { diagnostics.required(path, "must specify a handler type") }

        let initialDelay = probe.int32("initialDelaySeconds") ?? 0
        atLeast(0, initialDelay, path.child("initialDelaySeconds"), diagnostics)
        var timeout = probe.int32("timeoutSeconds") ?? 1
        if timeout == 0 { timeout = 1 }
        atLeast(1, timeout, path.child("timeoutSeconds"), diagnostics)
        let period = probe.int32("periodSeconds") ?? 10
        atLeast(1, period, path.child("periodSeconds"), diagnostics)
        let successThreshold = probe.int32("successThreshold") ?? 1
        atLeast(1, successThreshold, path.child("successThreshold"), diagnostics)
        if kind != .readiness, successThreshold > 1 {
            diagnostics.invalid(path.child("successThreshold"), .int(Int64(successThreshold)), "must be 1")
        }
        let failureThreshold = probe.int32("failureThreshold") ?? 3
        atLeast(1, failureThreshold, path.child("failureThreshold"), diagnostics)

        let gracePeriod = probe.int64("terminationGracePeriodSeconds")
        if let gracePeriod {
            let gracePath = path.child("terminationGracePeriodSeconds")
            if gracePeriod <= 0 { diagnostics.invalid(gracePath, .int(gracePeriod), "must be greater than 0") }
            // Readiness never kills a container, so a grace period there can only be a mistake.
            if kind == .readiness { diagnostics.invalid(gracePath, .int(gracePeriod), "must not be set for readinessProbes") }
        }

        guard let handler else { return nil }
        return Probe(handler: handler, initialDelaySeconds: initialDelay, timeoutSeconds: timeout,
                     periodSeconds: period, successThreshold: successThreshold,
                     failureThreshold: failureThreshold, terminationGracePeriodSeconds: gracePeriod)
    }

    private static func decodeHandler(_ key: String, of probe: ObjectReader, ports: PortCheck) -> Probe.Handler? {
        switch key {
        case "exec":
            return probe.object(key, schema: .execAction).map { exec in
                let command = exec.strings("command")
                if command.isEmpty { exec.diagnostics.required(exec.path.child("command")) }
                return .exec(command)
            }
        case "httpGet":
            return probe.object(key, schema: .httpGetAction).flatMap { action in
                decodeHTTPGet(action, ports: ports).map(Probe.Handler.httpGet)
            }
        case "tcpSocket":
            return probe.object(key, schema: .tcpSocketAction).flatMap { action in
                ports.check(action, "port").map { .tcpSocket(TCPSocketAction(port: $0, host: host(of: action))) }
            }
        default:
            return probe.object(key, schema: .grpcAction).flatMap { action in
                guard let port = action.int32("port") else {
                    if !action.has("port") { action.diagnostics.required(action.path.child("port")) }
                    return nil
                }
                ports.checkNumber(port, at: action.path.child("port"))
                return .grpc(GRPCAction(port: port, service: action.string("service") ?? ""))
            }
        }
    }

    private static func decodeHTTPGet(_ action: ObjectReader, ports: PortCheck) -> HTTPGetAction? {
        let path = action.string("path") ?? ""
        let port = ports.check(action, "port")
        let scheme = action.enumeration("scheme", default: URIScheme.http, supported: [.http, .https])
        let headers = action.objects("httpHeaders", schema: .httpHeader).map { header in
            let name = header.string("name") ?? ""
            // Kubernetes reports header problems against the list, not the entry.
            action.diagnostics.invalid(action.path.child("httpHeaders"), name, NameRules.httpHeaderName(name))
            return HTTPHeader(name: name, value: header.string("value") ?? "")
        }
        guard let port else { return nil }
        return HTTPGetAction(path: path.isEmpty ? "/" : path, port: port, host: host(of: action),
                             scheme: scheme, httpHeaders: headers)
    }

    private static func host(of action: ObjectReader) -> String? {
        action.string("host").flatMap { $0.isEmpty ? nil : $0 }
    }

    private static func atLeast(_ minimum: Int, _ value: Int, _ path: FieldPath, _ diagnostics: Diagnostics) {
        if value < minimum {
            diagnostics.invalid(path, .int(Int64(value)), "must be greater than or equal to \(minimum)")
        }
    }
}

/// Checks a probe's port: a valid number, or the valid name of one of the container's ports.
private struct PortCheck {
    let ports: [ContainerPort]
    let portsPath: FieldPath
    let diagnostics: Diagnostics

    func check(_ action: ObjectReader, _ key: String) -> PortReference? {
        let path = action.path.child(key)
        guard let port = action.port(key) else {
            if !action.has(key) { diagnostics.required(path) }
            return nil
        }
        switch port {
        case .number(let number):
            checkNumber(number, at: path)
        case .name(let name):
            let problems = NameRules.portName(name)
            diagnostics.invalid(path, name, problems)
            if problems.isEmpty, !ports.contains(where: { $0.name == name }) {
                diagnostics.invalid(path, .string(name), "no port in \(portsPath) has this name")
            }
        }
        return port
    }

    func checkNumber(_ number: Int, at path: FieldPath) {
        if !(1...65535).contains(number) {
            diagnostics.invalid(path, .int(Int64(number)), "must be between 1 and 65535, inclusive")
        }
    }
}
