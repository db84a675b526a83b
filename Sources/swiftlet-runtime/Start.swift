import ArgumentParser
import ContainerRuntime

struct Start: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "start",
        abstract: "Run the program of a created container (releases the init waiting in `create`).",
        discussion: """
              swiftlet-runtime create --bundle /srv/box box && swiftlet-runtime start box
            """
    )
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The container id.")
    var id: String

    func run() throws { Self.execute(store: global.store, id: id) }

    static func execute(store: StateStore, id: String) {
        requireRoot()
        do {
            for warning in try ContainerStart.run(store: store, id: id) { warn(warning) }
        } catch { fail("\(error)") }
    }
}
