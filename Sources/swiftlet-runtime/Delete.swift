import ArgumentParser
import ContainerRuntime

struct Delete: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delete",
        abstract: "Remove a container's processes, cgroup and state.",
        discussion: """
            A stopped or created container is removed; a running or paused one needs --force, which kills it first. --force on a container that does not exist succeeds, as with runc.

              swiftlet-runtime delete mybox
              swiftlet-runtime delete --force mybox
            """
    )
    @OptionGroup var global: GlobalOptions
    @Flag(name: [.short, .long], help: "Kill the container if it still runs; no error if it does not exist.")
    var force = false
    @Argument(help: "The container id.")
    var id: String

    func run() throws { Self.execute(store: global.store, id: id, force: force) }

    static func execute(store: StateStore, id: String, force: Bool) {
        requireRoot()
        do {
            for warning in try ContainerRemoval.delete(store: store, id: id, force: force) { warn(warning) }
        } catch { fail("\(error)") }
    }
}
