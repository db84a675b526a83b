import ArgumentParser
import Foundation
import PodSpec
import Probes
import Supervisor

/// `get configmaps`: kubectl's NAME DATA AGE (DATA counts data and binaryData keys).
struct GetConfigMaps: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "configmaps",
        abstract: "List ConfigMaps: NAME DATA AGE.",
        discussion: """
            ConfigMaps are stored in the state root by `swiftlet create -f` (or `run -f`, from documents beside the pods); pods read them when a container starts. -o json prints v1 ConfigMap objects (binaryData base64), as kubectl does.

              swiftlet get configmaps
              swiftlet get cm game-config -o json | jq .data
            """,
        aliases: ["configmap", "cm"]
    )

    @OptionGroup var global: GlobalOptions
    @Argument(help: ArgumentHelp("ConfigMaps to show (default: all).", valueName: "name"))
    var names: [String] = []
    @Option(name: [.short, .long], help: "The namespace.")
    var namespace: String = "default"
    @Option(name: [.customShort("o", allowingJoined: true), .long], help: "Output format: json.")
    var output: ConfigOutputFormat?

    func run() throws {
        try reporting {
            let store = ConfigStore(root: global.root)
            let (found, errors) = ConfigObjectOutput.lookup(names, .configMap, all: { store.configMaps(namespace: namespace) },
                                                            one: { store.storedConfigMap(namespace: namespace, name: $0) })
            ConfigObjectOutput.print(found.map(ConfigObjectJSON.configMap), single: names.count == 1, json: output == .json,
                                     header: "NAME\tDATA\tAGE", namespace: namespace, asked: !names.isEmpty,
                                     rows: found.map { [$0.object.name, String($0.object.data.count + $0.object.binaryData.count),
                                                        TimeFormat.since($0.creationTimestamp, now: .now)] })
            if !errors.isEmpty { throw CLIError(errors.joined(separator: "\n")) }
        }
    }
}

/// `get secrets`: kubectl's NAME TYPE DATA AGE. Values never appear in the table; -o json has
/// them base64-encoded, as kubectl shows them.
struct GetSecrets: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "secrets",
        abstract: "List Secrets: NAME TYPE DATA AGE.",
        discussion: """
            Secrets are stored in the state root (root-only files) by `swiftlet create -f` (or `run -f`). The table never shows values; -o json prints v1 Secret objects with data base64-encoded, as kubectl does.

              swiftlet get secrets
              swiftlet get secret db-credentials -o json | jq -r '.data.password | @base64d'
            """,
        aliases: ["secret"]
    )

    @OptionGroup var global: GlobalOptions
    @Argument(help: ArgumentHelp("Secrets to show (default: all).", valueName: "name"))
    var names: [String] = []
    @Option(name: [.short, .long], help: "The namespace.")
    var namespace: String = "default"
    @Option(name: [.customShort("o", allowingJoined: true), .long], help: "Output format: json.")
    var output: ConfigOutputFormat?

    func run() throws {
        try reporting {
            let store = ConfigStore(root: global.root)
            let (found, errors) = ConfigObjectOutput.lookup(names, .secret, all: { store.secrets(namespace: namespace) },
                                                            one: { store.storedSecret(namespace: namespace, name: $0) })
            ConfigObjectOutput.print(found.map(ConfigObjectJSON.secret), single: names.count == 1, json: output == .json,
                                     header: "NAME\tTYPE\tDATA\tAGE", namespace: namespace, asked: !names.isEmpty,
                                     rows: found.map { [$0.object.name, $0.object.type, String($0.object.data.count),
                                                        TimeFormat.since($0.creationTimestamp, now: .now)] })
            if !errors.isEmpty { throw CLIError(errors.joined(separator: "\n")) }
        }
    }
}

enum ConfigOutputFormat: String, ExpressibleByArgument, CaseIterable {
    case json
}

enum ConfigObjectOutput {
    /// The objects asked for (every one of the namespace when no name is given), and a "not
    /// found" error for each name that is missing.
    static func lookup<Object>(_ names: [String], _ kind: ConfigStore.Kind, all: () -> [ConfigStore.Stored<Object>],
                               one: (String) -> ConfigStore.Stored<Object>?) -> ([ConfigStore.Stored<Object>], [String]) {
        guard !names.isEmpty else { return (all(), []) }
        var found: [ConfigStore.Stored<Object>] = []
        var errors: [String] = []
        for name in names {
            if let object = one(name) { found.append(object) } else { errors.append(ConfigStore.notFound(kind, name).description) }
        }
        return (found, errors)
    }

    /// A table, or JSON (one object when one name was asked for, else a v1 List), as kubectl.
    static func print(_ objects: [JSON], single: Bool, json: Bool, header: String, namespace: String, asked: Bool,
                      rows: [[String]]) {
        if json {
            if single, let object = objects.first {
                writeStdout(object.rendered() + "\n")
            } else if !objects.isEmpty || !asked {
                let list = JSON.object(["apiVersion": .string("v1"), "kind": .string("List"), "items": .array(objects),
                                        "metadata": .object(["resourceVersion": .string("")])])
                writeStdout(list.rendered() + "\n")
            }
        } else if rows.isEmpty {
            if !asked { writeStderr("No resources found in \(namespace) namespace.\n") }
        } else {
            writeStdout(KubectlTable.format([header] + rows.map { $0.joined(separator: "\t") }))
        }
    }
}

/// v1 ConfigMap and Secret objects as `kubectl get -o json` prints them.
enum ConfigObjectJSON {
    static func configMap(_ stored: ConfigStore.Stored<ConfigMap>) -> JSON {
        let map = stored.object
        return .members([
            "apiVersion": .string("v1"),
            "kind": .string("ConfigMap"),
            "metadata": metadata(map.name, map.namespace, stored),
            "data": map.data.isEmpty ? nil : .object(map.data.mapValues(JSON.string)),
            "binaryData": map.binaryData.isEmpty ? nil : .object(map.binaryData.mapValues { .string(Base64.encode($0)) }),
            "immutable": map.immutable ? .bool(true) : nil,
        ])
    }

    static func secret(_ stored: ConfigStore.Stored<Secret>) -> JSON {
        let secret = stored.object
        return .members([
            "apiVersion": .string("v1"),
            "kind": .string("Secret"),
            "metadata": metadata(secret.name, secret.namespace, stored),
            "data": secret.data.isEmpty ? nil : .object(secret.data.mapValues { .string(Base64.encode($0)) }),
            "type": .string(secret.type),
            "immutable": secret.immutable ? .bool(true) : nil,
        ])
    }

    private static func metadata<Object>(_ name: String, _ namespace: String, _ stored: ConfigStore.Stored<Object>) -> JSON {
        .object([
            "name": .string(name),
            "namespace": .string(namespace),
            "uid": .string(stored.uid),
            "creationTimestamp": .string(TimeFormat.rfc3339(stored.creationTimestamp)),
        ])
    }
}
