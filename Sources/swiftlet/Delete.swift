import ArgumentParser
import Foundation
import PodSpec
import Supervisor

struct Delete: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Delete pods (stopping their containers gracefully and removing everything they used), ConfigMaps and Secrets.",
        discussion: """
            The daemon stops the pod (SIGTERM, then SIGKILL after the grace period) and removes its state; the command waits until that is done. While no daemon runs, delete does it itself: it kills the containers through their cgroups, removes the cgroups, the pod's sandbox and network, tells swiftlet-keeper to forget them, and removes the pod.

              swiftlet delete pod kubia-liveness
              swiftlet delete pod/kubia-liveness --grace-period 5
              swiftlet delete -f pods.yaml
              swiftlet delete pods --all
              swiftlet delete configmap game-config
              swiftlet delete secret/db-credentials

            -f deletes the file's pods, ConfigMaps and Secrets. A pod that is running keeps the environment it was started with; a container started later without its ConfigMap or Secret waits (CreateContainerConfigError).
            """
    )

    @OptionGroup var global: GlobalOptions
    @Argument(help: ArgumentHelp("pod NAME..., pod/NAME..., configmap NAME..., secret NAME... (or configmap/NAME, secret/NAME)", valueName: "name"))
    var arguments: [String] = []
    @Option(name: [.customShort("f"), .customLong("filename")], help: ArgumentHelp("Delete the pods, ConfigMaps and Secrets this file defines.", valueName: "file"))
    var files: [String] = []
    @Option(help: ArgumentHelp("Seconds the pods get to stop; -1 means each pod's own terminationGracePeriodSeconds.", valueName: "seconds"))
    var gracePeriod: Int = -1
    @Flag(help: "Delete every pod under the state root.")
    var all = false

    func validate() throws {
        if all {
            guard files.isEmpty, arguments.allSatisfy({ PodArguments.podTypes.contains($0.lowercased()) }) else {
                throw ValidationError("--all deletes every pod; give no names or -f with it")
            }
        } else if arguments.isEmpty && files.isEmpty {
            throw ValidationError("you must provide one or more resources by argument or filename")
        }
        if !arguments.isEmpty && !files.isEmpty { throw ValidationError("give pod names or -f, not both") }
        if gracePeriod < -1 { throw ValidationError("--grace-period must be -1 or more") }
    }

    func run() throws {
        if let objects = ConfigArguments.objects(arguments) {
            return try reporting { try ConfigDeletion.delete(objects, root: global.root) }
        }
        try reporting {
            let store = global.store
            try StoreAccess.check(store)
            var names = all ? store.names() : try PodArguments.podNames(arguments)
            for file in files { names += try Self.podNames(inFile: file) }
            // kubectl turns 0 into 1 unless forced: the pod still gets its SIGTERM.
            let grace: Int? = gracePeriod < 0 ? nil : max(gracePeriod, 1)
            var failures: [String] = []
            var pending: [PodDeletion] = []
            for name in names {
                do {
                    pending.append(try PodDeletion.start(name, store: store, graceSeconds: grace))
                    writeStdout("pod \"\(name)\" deleted\n")
                } catch let error as CLIError {
                    failures.append(error.description)
                }
            }
            failures += PodDeletion.run(pending, store: store, graceSeconds: grace)
            for file in files { failures += ConfigDeletion.deleteObjects(inFile: file, root: global.root) }
            if !failures.isEmpty { throw CLIError(failures.joined(separator: "\n")) }
        }
    }

    /// The pod names a pod file defines, in order.
    static func podNames(inFile path: String) throws(CLIError) -> [String] {
        do {
            return try PodFile.load(path: path).map(\.name)
        } catch {
            throw CLIError(error.description)   // already in kubectl's words
        }
    }
}
