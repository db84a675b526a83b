import ArgumentParser
import Probes

struct GetPods: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pods",
        abstract: "List pods: NAME READY STATUS RESTARTS AGE.",
        discussion: """
            STATUS is the kubelet's reason (CrashLoopBackOff, Error, Completed, Terminating...). A pod whose swiftlet-keeper (the process holding its containers) has died shows Unknown, and in -o json phase Unknown with reason SupervisorLost; while only the daemon is down, pods show their last status.

              swiftlet get pods
              swiftlet get pod kubia-liveness -o json
            """,
        aliases: ["pod", "po"]
    )

    @OptionGroup var global: GlobalOptions
    @Argument(help: ArgumentHelp("Pods to show (default: all).", valueName: "name"))
    var names: [String] = []
    @Option(name: [.customShort("o", allowingJoined: true), .long], help: "Output format: wide or json.")
    var output: OutputFormat?

    func run() throws {
        try reporting {
            let store = global.store
            try StoreAccess.check(store)
            var views: [PodView] = []
            var errors: [String] = []
            if names.isEmpty {
                views = PodView.loadAll(store: store)
            } else {
                for argument in names {
                    do {
                        views.append(try PodView.load(try PodArguments.podName(argument), store: store))
                    } catch let error as CLIError {
                        errors.append(error.description)
                    }
                }
            }
            switch output {
            case .json:
                if !views.isEmpty || names.isEmpty {
                    writeStdout(PodJSON.document(views, single: names.count == 1).rendered() + "\n")
                }
            case .wide, nil:
                if views.isEmpty && errors.isEmpty {
                    writeStderr("No resources found in default namespace.\n")
                } else if !views.isEmpty {
                    writeStdout(PodTable.render(views, wide: output == .wide, now: .now))
                }
            }
            // kubectl prints what it found, then what it did not.
            if !errors.isEmpty { throw CLIError(errors.joined(separator: "\n")) }
        }
    }
}
