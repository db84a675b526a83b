/// One entry of `spec.containers`.
enum ContainerDecoder {
    static func decode(_ container: ObjectReader, volumeNames: Set<String>, baseDirectory: String) -> Container {
        let diagnostics = container.diagnostics
        let path = container.path

        let name = container.string("name") ?? ""
        if name.isEmpty {
            diagnostics.required(path.child("name"))
        } else {
            diagnostics.invalid(path.child("name"), name, NameRules.dns1123Label(name))
        }

        let image = container.string("image") ?? ""
        if image.isEmpty {
            diagnostics.required(path.child("image"))
        } else if image.first?.isWhitespace == true || image.last?.isWhitespace == true {
            diagnostics.invalid(path.child("image"), .string(image), "must not have leading or trailing whitespace")
        }

        // The OCI runtime spec requires an absolute cwd; say so here rather than at start.
        let workingDir = container.string("workingDir").flatMap { $0.isEmpty ? nil : $0 }
        if let workingDir, !workingDir.hasPrefix("/") {
            diagnostics.invalid(path.child("workingDir"), .string(workingDir), "must be an absolute path")
        }

        // In the order the API server validates, so errors list alike.
        let ports = decodePorts(container)
        let env = EnvDecoder.env(container)
        let envFrom = EnvDecoder.envFrom(container)
        let volumeMounts = VolumeDecoder.mounts(container, volumeNames: volumeNames)
        checkAcceptedButIgnored(container)
        let resources = ResourcesDecoder.decode(container.object("resources", schema: .resources))
        let securityContext = container.object("securityContext", schema: .securityContext)
            .map(SecurityContextDecoder.decode)
        var decoded = Container(
            name: name,
            image: Image(written: image, resolved: PathRules.resolve(image, against: baseDirectory)),
            command: container.strings("command"),
            args: container.strings("args"),
            env: env,
            workingDir: workingDir,
            ports: ports,
            resources: resources,
            securityContext: securityContext,
            volumeMounts: volumeMounts,
            livenessProbe: probe(.liveness, of: container, ports: ports),
            readinessProbe: probe(.readiness, of: container, ports: ports),
            startupProbe: probe(.startup, of: container, ports: ports))
        decoded.envFrom = envFrom
        return decoded
    }

    private static func decodePorts(_ container: ObjectReader) -> [ContainerPort] {
        var names: Set<String> = []
        return container.objects("ports", schema: .containerPort).map { port in
            let diagnostics = port.diagnostics
            let name = port.string("name").flatMap { $0.isEmpty ? nil : $0 }
            if let name {
                let problems = NameRules.portName(name)
                diagnostics.invalid(port.path.child("name"), name, problems)
                if problems.isEmpty, !names.insert(name).inserted {
                    diagnostics.duplicate(port.path.child("name"), name)
                }
            }
            let number = port.int32("containerPort") ?? 0
            if number == 0 {
                diagnostics.required(port.path.child("containerPort"))
            } else if !(1...65535).contains(number) {
                diagnostics.invalid(port.path.child("containerPort"), .int(Int64(number)),
                                    "must be between 1 and 65535, inclusive")
            }
            // 0 means no hostPort, as in the API.
            let hostPort = port.int32("hostPort").flatMap { $0 == 0 ? nil : $0 }
            if let hostPort, !(1...65535).contains(hostPort) {
                diagnostics.invalid(port.path.child("hostPort"), .int(Int64(hostPort)),
                                    "must be between 1 and 65535, inclusive")
            }
            let portProtocol = port.enumeration("protocol", default: PortProtocol.tcp, supported: [.sctp, .tcp, .udp])
            // Not checked by the API server; checked here because the CNI portmap plugin needs an address.
            let hostIP = port.string("hostIP").flatMap { $0.isEmpty ? nil : $0 }
            if let hostIP {
                diagnostics.invalid(port.path.child("hostIP"), hostIP, IPRules.ipAddress(hostIP))
            }
            return ContainerPort(name: name, containerPort: number, protocol: portProtocol,
                                 hostPort: hostPort, hostIP: hostIP)
        }
    }

    private static func probe(_ kind: ProbeKind, of container: ObjectReader, ports: [ContainerPort]) -> Probe? {
        container.object(kind.fieldName, schema: .probe).flatMap {
            ProbeDecoder.decode($0, kind: kind, ports: ports, portsPath: container.path.child("ports"))
        }
    }

    /// swiftlet has images on disk and no termination message file, but these fields are in
    /// every generated manifest; their values are still checked, so that what loads here loads
    /// in Kubernetes too.
    private static func checkAcceptedButIgnored(_ container: ObjectReader) {
        _ = container.enumeration("imagePullPolicy", default: PullPolicy.ifNotPresent,
                                  supported: [.always, .ifNotPresent, .never])
        _ = container.enumeration("terminationMessagePolicy", default: TerminationMessagePolicy.file,
                                  supported: [.file, .fallbackToLogsOnError])
        _ = container.string("terminationMessagePath")
    }

    private enum PullPolicy: String {
        case always = "Always"
        case ifNotPresent = "IfNotPresent"
        case never = "Never"
    }

    private enum TerminationMessagePolicy: String {
        case file = "File"
        case fallbackToLogsOnError = "FallbackToLogsOnError"
    }
}
