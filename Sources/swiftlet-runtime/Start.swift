import ArgumentParser
import ContainerRuntime

struct Start: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the program of a created container (releases the init waiting in `create`).",
        discussion: """
              swiftlet-runtime create --bundle /srv/box box && swiftlet-runtime start box
            """
    )
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The container id.")
    var id: String

    func run() throws {
        requireRoot()
        do {
            for warning in try ContainerStart.run(store: global.store, id: id) { warn(warning) }
        } catch { fail("\(error)") }
    }
}
