import ArgumentParser
import ContainerRuntime

struct Kill: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kill",
        abstract: "Send a signal to a container's init (default TERM).",
        discussion: """
            The signal is a name (TERM, SIGTERM, any case) or a number. A stopped container fails with "container not running", except with --all.

              swiftlet-runtime kill mybox             # SIGTERM to its init
              swiftlet-runtime kill mybox KILL
              swiftlet-runtime kill --all mybox 9     # every process in its cgroup
            """
    )
    @OptionGroup var global: GlobalOptions
    @Flag(name: [.short, .long], help: "Signal every process in the container's cgroup.")
    var all = false
    @Argument(help: "The container id.")
    var id: String
    @Argument(help: "Signal name or number (TERM, SIGKILL, 9).")
    var signal: String = "TERM"

    func run() throws { Self.execute(store: global.store, id: id, signal: signal, all: all) }

    static func execute(store: StateStore, id: String, signal: String, all: Bool) {
        requireRoot()
        guard let sig = SignalName.parse(signal) else { fail("unknown signal \"\(signal)\"") }
        do { try ContainerRemoval.kill(store: store, id: id, signal: sig, all: all) } catch { fail("\(error)") }
    }
}
