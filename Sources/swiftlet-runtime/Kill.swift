import ArgumentParser
import CShims
import Cgroups
import ContainerRuntime
#if canImport(Glibc)
import Glibc
#endif

struct Kill: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Send a signal to a container's init (default TERM).",
        discussion: """
              swiftlet-runtime kill mybox             # SIGTERM to its init
              swiftlet-runtime kill mybox KILL
              swiftlet-runtime kill --all mybox 9     # every process in it
            """
    )
    @OptionGroup var global: GlobalOptions
    @Flag(name: [.short, .long], help: "Signal every process in the container's cgroup.")
    var all = false
    @Argument(help: "The container id.")
    var id: String
    @Argument(help: "Signal name or number (TERM, SIGKILL, 9).")
    var signal: String = "TERM"

    func run() throws {
        requireRoot()
        guard let sig = SignalName.parse(signal) else { fail("unknown signal \"\(signal)\"") }
        do {
            let state = try global.store.load(id)
            if all {
                try Cgroup(paths: state.cgroup).kill(signal: sig)
            } else {
                let pidfd = try state.location.openInit()
                let r = sl_pidfd_send_signal(pidfd.rawValue, sig)
                if r < 0 { fail("sending \(signal) to \(id) failed: \(Errno(-r))") }
            }
        } catch { fail("\(error)") }
    }
}

struct Delete: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Remove a stopped container's cgroup and state (--force: kill it first)."
    )
    @OptionGroup var global: GlobalOptions
    @Flag(name: [.short, .long], help: "Kill the container if it still runs.")
    var force = false
    @Argument(help: "The container id.")
    var id: String

    func run() throws {
        requireRoot()
        let store = global.store
        do {
            let state = try store.load(id)
            if state.status == "running" && !force {
                fail("container \"\(id)\" is running: stop it first, or use --force")
            }
            try Cgroup(paths: state.cgroup).destroy()
            store.remove(id)
        } catch { fail("\(error)") }
    }
}
