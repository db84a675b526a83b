import ArgumentParser
import Probes

struct Describe: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show a pod in detail, as kubectl describe does, with its events at the end.",
        discussion: """
              swiftlet describe pod kubia-liveness
              swiftlet describe pod/kubia-liveness
              swiftlet describe pods
            """
    )

    @OptionGroup var global: GlobalOptions
    @Argument(help: ArgumentHelp("pod NAME..., pod/NAME..., or pods for all of them.", valueName: "pod name"))
    var arguments: [String]

    func run() throws {
        try reporting {
            let store = global.store
            try StoreAccess.check(store)
            var names = try PodArguments.podNames(arguments)
            if names.isEmpty {
                names = store.names()
                if names.isEmpty { writeStderr("No resources found in default namespace.\n") }
            }
            var errors: [String] = []
            var first = true
            for name in names {
                do {
                    let view = try PodView.load(name, store: store)
                    let events = PodEvents.events(store.loadEvents(pod: name), of: view.record)
                    // kubectl separates several descriptions with a blank line.
                    writeStdout((first ? "" : "\n\n") + DescribePod.render(view, events: events, now: .now))
                    first = false
                } catch let error as CLIError {
                    errors.append(error.description)
                }
            }
            if !errors.isEmpty { throw CLIError(errors.joined(separator: "\n")) }
        }
    }
}
