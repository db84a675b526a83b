import ArgumentParser
import Supervisor

/// Options every command takes.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The state root: the daemon's and keeper's sockets, the pods' records and logs (env SWIFTLET_ROOT).", valueName: "dir"))
    var root: String = PodStore.defaultRoot

    var store: PodStore { PodStore(root: root) }
}
