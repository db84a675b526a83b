import ArgumentParser
import Foundation
import PodSpec
import Supervisor

/// `swiftlet create -f FILE`: kubectl create for the objects swiftlet keeps.
struct Create: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create the ConfigMaps, Secrets and pods of a YAML file.",
        discussion: """
            ConfigMaps and Secrets (v1 documents, the API server's rules: keys of [-._a-zA-Z0-9], Secret data in base64, stringData merged in, 1 MiB at most) are stored in the state root, root-only, with or without a daemon: pods read them when a container starts, through env valueFrom, envFrom and volumes. A name that exists is refused (AlreadyExists), as kubectl create refuses it; the file's other objects are still created. The file's pods are then started as `swiftlet run -d -f` starts them. Nothing is created when any document of the file is invalid.

              swiftlet create -f game-config.yaml
              swiftlet get configmaps
              swiftlet get secrets
              swiftlet delete configmap game-config
            """
    )

    @OptionGroup var global: GlobalOptions
    @Option(name: [.short, .customLong("filename")], help: "The YAML file: ConfigMap, Secret and Pod documents.")
    var file: String
    @Option(name: .long, help: "Another directory to look for the pods' images in (relative image paths).")
    var images: [String] = []

    func run() throws {
        guard geteuid() == 0 else { throw ValidationError("swiftlet must run as root") }
        let manifest: Manifest
        do { manifest = try PodFile.loadManifest(path: file) } catch {
            writeStderr("\(error)\n")
            throw ExitCode(1)
        }
        var failed = false
        do { try ConfigCreation.store(manifest, root: global.root, replacing: false) } catch {
            writeStderr("\(error.description)\n")
            failed = true
        }
        if !manifest.pods.isEmpty {
            let run = try Run.parse(["-d", "-f", file, "--root", global.root] + images.flatMap { ["--images", $0] })
            try run.run()
        }
        if failed { throw ExitCode(1) }
    }
}
