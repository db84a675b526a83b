import PodSpec
import Supervisor

/// `spec` of `-o json` from the decoded manifest, with Kubernetes' defaults filled in as the API
/// server stores them (probe periods, restartPolicy, grace period...), so that
/// `.spec.containers[0].livenessProbe.periodSeconds` reads as it would from kubectl.
enum SpecJSON {
    static func spec(_ pod: Pod, node: String) -> JSON {
        let spec = pod.spec
        return .members([
            "containers": .array(spec.containers.map(container)),
            "initContainers": spec.initContainers.isEmpty ? nil : .array(spec.initContainers.map(container)),
            "dnsPolicy": .string(spec.dnsPolicy.rawValue),
            "dnsConfig": spec.dnsConfig.map(dnsConfig),
            "hostAliases": spec.hostAliases.isEmpty ? nil : .array(spec.hostAliases.map { a in
                .object(["ip": .string(a.ip), "hostnames": strings(a.hostnames)])
            }),
            "hostNetwork": spec.hostNetwork ? .bool(true) : nil,
            "hostname": spec.hostname.map(JSON.string),
            "subdomain": spec.subdomain.map(JSON.string),
            "nodeName": .string(node),
            "priority": .int(0),
            "restartPolicy": .string(spec.restartPolicy.rawValue),
            "terminationGracePeriodSeconds": .int(Int(spec.terminationGracePeriodSeconds)),
            "volumes": spec.volumes.isEmpty ? nil : .array(spec.volumes.map(volume)),
        ])
    }

    /// When the manifest no longer decodes: what the record knows (names and images).
    static func fallback(_ record: PodRecord, node: String) -> JSON {
        .members([
            "containers": .array(record.containers.map { .object(["name": .string($0.name), "image": .string($0.image)]) }),
            "nodeName": .string(node),
            "restartPolicy": .string(record.restartPolicy),
        ])
    }

    static func container(_ c: Container) -> JSON {
        .members([
            "name": .string(c.name),
            "image": .string(c.image.written),
            "command": c.command.isEmpty ? nil : strings(c.command),
            "args": c.args.isEmpty ? nil : strings(c.args),
            "env": c.env.isEmpty ? nil : .array(c.env.map { .members(["name": .string($0.name),
                                                                      "value": $0.value.isEmpty ? nil : .string($0.value)]) }),
            "workingDir": c.workingDir.map(JSON.string),
            "ports": c.ports.isEmpty ? nil : .array(c.ports.map(port)),
            "resources": resources(c.resources),
            "securityContext": c.securityContext.map(securityContext),
            "volumeMounts": c.volumeMounts.isEmpty ? nil : .array(c.volumeMounts.map {
                .members(["name": .string($0.name), "mountPath": .string($0.mountPath),
                          "readOnly": $0.readOnly ? .bool(true) : nil,
                          "subPath": $0.subPath.isEmpty ? nil : .string($0.subPath),
                          "subPathExpr": $0.subPathExpr.isEmpty ? nil : .string($0.subPathExpr)])
            }),
            "livenessProbe": c.livenessProbe.map(probe),
            "readinessProbe": c.readinessProbe.map(probe),
            "startupProbe": c.startupProbe.map(probe),
            "restartPolicy": c.restartPolicy.map { .string($0.rawValue) },
        ])
    }

    static func probe(_ p: Probe) -> JSON {
        var members: [String: JSON?] = [
            "initialDelaySeconds": p.initialDelaySeconds == 0 ? nil : .int(p.initialDelaySeconds),
            "timeoutSeconds": .int(p.timeoutSeconds),
            "periodSeconds": .int(p.periodSeconds),
            "successThreshold": .int(p.successThreshold),
            "failureThreshold": .int(p.failureThreshold),
            "terminationGracePeriodSeconds": p.terminationGracePeriodSeconds.map { .int(Int($0)) },
        ]
        switch p.handler {
        case .exec(let command):
            members["exec"] = .object(["command": strings(command)])
        case .httpGet(let action):
            members["httpGet"] = .members([
                "path": .string(action.path),
                "port": port(action.port),
                "host": action.host.map(JSON.string),
                "scheme": .string(action.scheme.rawValue),
                "httpHeaders": action.httpHeaders.isEmpty ? nil : .array(action.httpHeaders.map {
                    .object(["name": .string($0.name), "value": .string($0.value)])
                }),
            ])
        case .tcpSocket(let action):
            members["tcpSocket"] = .members(["port": port(action.port), "host": action.host.map(JSON.string)])
        case .grpc(let action):
            members["grpc"] = .object(["port": .int(action.port), "service": .string(action.service)])
        }
        return .members(members)
    }

    /// An IntOrString: a number stays a number, a port name a string.
    static func port(_ reference: PortReference) -> JSON {
        switch reference {
        case .number(let number): .int(number)
        case .name(let name): .string(name)
        }
    }

    static func port(_ p: ContainerPort) -> JSON {
        .members(["containerPort": .int(p.containerPort), "name": p.name.map(JSON.string),
                  "protocol": .string(p.protocol.rawValue), "hostPort": p.hostPort.map(JSON.int),
                  "hostIP": p.hostIP.map(JSON.string)])
    }

    static func dnsConfig(_ c: PodDNSConfig) -> JSON {
        .members([
            "nameservers": c.nameservers.isEmpty ? nil : strings(c.nameservers),
            "searches": c.searches.isEmpty ? nil : strings(c.searches),
            "options": c.options.isEmpty ? nil : .array(c.options.map { .members(["name": .string($0.name), "value": $0.value.map(JSON.string)]) }),
        ])
    }

    /// `{}` when nothing is set, as the API server returns it.
    static func resources(_ r: ResourceRequirements) -> JSON {
        func list(_ l: ResourceList) -> JSON? {
            let members: [String: JSON?] = ["cpu": l.cpu.map { .string($0.description) },
                                            "memory": l.memory.map { .string($0.description) }]
            return members.values.allSatisfy { $0 == nil } ? nil : .members(members)
        }
        return .members(["limits": list(r.limits), "requests": list(r.requests)])
    }

    static func securityContext(_ s: SecurityContext) -> JSON {
        .members([
            "runAsUser": s.runAsUser.map { .int(Int($0)) },
            "runAsGroup": s.runAsGroup.map { .int(Int($0)) },
            "readOnlyRootFilesystem": s.readOnlyRootFilesystem.map(JSON.bool),
            "allowPrivilegeEscalation": s.allowPrivilegeEscalation.map(JSON.bool),
            "privileged": s.privileged.map(JSON.bool),
            "capabilities": s.capabilities.map { caps in
                .members(["add": caps.add.isEmpty ? nil : strings(caps.add.map(\.name)),
                          "drop": caps.drop.isEmpty ? nil : strings(caps.drop.map(\.name))])
            },
            "seccompProfile": s.seccompProfile.map { profile in
                switch profile {
                case .runtimeDefault: .object(["type": .string("RuntimeDefault")])
                case .unconfined: .object(["type": .string("Unconfined")])
                case .localhost(let file): .object(["type": .string("Localhost"), "localhostProfile": .string(file)])
                }
            },
        ])
    }

    static func volume(_ v: Volume) -> JSON {
        switch v.source {
        case .emptyDir(let source):
            return .object(["name": .string(v.name), "emptyDir": .members([
                "medium": source.medium.rawValue.isEmpty ? nil : .string(source.medium.rawValue),
                "sizeLimit": source.sizeLimit.map { .string($0.description) },
            ])])
        case .hostPath(let source):
            return .object(["name": .string(v.name), "hostPath": .object([
                "path": .string(source.path), "type": .string(source.type.rawValue),
            ])])
        case .configMap, .secret, .downwardAPI, .projected:
            guard let (key, value) = ConfigVolumeJSON.source(v.source) else { return .object(["name": .string(v.name)]) }
            return .object(["name": .string(v.name), key: value])
        }
    }

    private static func strings(_ values: [String]) -> JSON { .array(values.map(JSON.string)) }
}
