import ArgumentParser
import CShims
import ContainerRuntime
#if canImport(Glibc)
import Glibc
#endif

struct Create: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "Set a container up completely and leave its program waiting for `start`.",
        discussion: """
            Namespaces, cgroup, mounts, pivot_root, capabilities and the seccomp filter are all in place when create exits 0; the container's init then waits on <root>/<id>/exec.fifo until `start`. The init is not tied to swiftlet-runtime: it belongs to the caller's subreaper (conmon, containerd's shim), which reaps it. Hooks prestart, createRuntime and createContainer run before create returns.

              swiftlet-runtime create --bundle /srv/box --pid-file /run/box.pid box
              swiftlet-runtime start box

            With process.terminal true, --console-socket is required: the pty master is sent over that unix socket (SCM_RIGHTS), as runc does.
            """
    )

    @OptionGroup var global: GlobalOptions
    @Option(name: [.short, .long], help: "Path to the bundle (config.json + rootfs).")
    var bundle: String = "."
    @Option(name: .long, help: "Write the container's pid to this file (no newline, as runc).")
    var pidFile: String?
    @Option(name: .long, help: "Unix socket path to send the pty master to (process.terminal).")
    var consoleSocket: String?
    @Option(name: .long, help: "Pass this many extra fds (3, 4, ...) to the container.")
    var preserveFds: Int32 = 0
    @Flag(name: .long, help: "Accepted for runc's callers; swiftlet always pivots.")
    var noPivot = false
    @Flag(name: .long, help: "Accepted for runc's callers; swiftlet makes no session keyring.")
    var noNewKeyring = false
    @Argument(help: "The container id (unique under --root).")
    var id: String

    func run() throws {
        Self.execute(store: global.store, id: id, bundle: bundle, pidFile: pidFile,
                     consoleSocket: consoleSocket, preserveFds: preserveFds)
    }

    static func execute(store: StateStore, id: String, bundle: String, pidFile: String?,
                        consoleSocket: String?, preserveFds: Int32) {
        requireRoot()
        let bundlePath = Files.absolute(bundle)
        let spec: OCISpec
        do { spec = try SpecDecoder.load(bundle: bundlePath) } catch { fail("\(error)") }
        let terminal = spec.process?.terminal ?? false
        if terminal && consoleSocket == nil {
            fail("process.terminal is true: a detached container needs --console-socket to send its pty to")
        }
        if !terminal && consoleSocket != nil {
            fail("--console-socket given but process.terminal is false in \(bundlePath)/config.json")
        }
        let created = ContainerCreation(store: store, id: id, bundle: bundlePath, spec: spec)
        do {
            try created.run(consoleSocketPath: consoleSocket, preserveFDs: preserveFds, pidFile: pidFile)
        } catch { fail("\(error)") }
    }
}
