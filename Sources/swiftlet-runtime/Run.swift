import ArgumentParser
import CShims
import ContainerRuntime
#if canImport(Glibc)
import Glibc
#endif

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Create and run a container in the foreground; its exit status becomes ours.",
        discussion: """
            stdio is attached (through a pty when process.terminal is true), signals sent to swiftlet-runtime are passed to the container, and the exit status is passed on: the container's exit code, or 128+N when signal N killed it.

            When the container's init exits, every process left in its cgroup is killed and the cgroup and state are removed. If swiftlet-runtime itself is killed, the container dies with it; `swiftlet-runtime delete ID` then removes what remains.

              swiftlet-runtime run --bundle /srv/box box1
              swiftlet-runtime run -b . --pid-file /run/box1.pid box1
            """
    )

    @OptionGroup var global: GlobalOptions
    @Option(name: [.short, .long], help: "Path to the bundle (config.json + rootfs).")
    var bundle: String = "."
    @Option(name: .long, help: "Write the container's pid to this file.")
    var pidFile: String?
    @Option(name: .long, help: "Pass this many extra fds (3, 4, ...) to the container.")
    var preserveFds: Int32 = 0
    @Argument(help: "The container id (unique under --root).")
    var id: String

    func run() throws {
        Self.execute(store: global.store, id: id, bundle: bundle,
                     pidFile: pidFile, preserveFds: preserveFds)
    }

    static func execute(store: StateStore, id: String, bundle: String, pidFile: String?,
                        preserveFds: Int32) -> Never {
        requireRoot()
        let signalFD = takeOverSignals()

        let bundlePath = Files.absolute(bundle)
        let spec: OCISpec
        do { spec = try SpecDecoder.load(bundle: bundlePath) } catch { fail("\(error)") }
        // Hooks run at create, start and delete; `run` in the foreground does not stop at their
        // points yet, and skipping them silently could skip what isolates the container.
        if !spec.hooks.isEmpty {
            fail("config.json: hooks: `run` does not run hooks; use `create` and `start`, which do")
        }
        do { try store.reserve(id) } catch { fail("\(error)") }

        let container: Container
        do {
            container = try Container.start(id: id, spec: spec, bundle: bundlePath,
                                            options: LaunchOptions(dieWithParent: true, preserveFDs: preserveFds,
                                                                   seccompCacheDirectory: store.seccompCacheDirectory))
        } catch {
            store.remove(id)
            fail("\(error)")
        }
        let state = ContainerState(id: id, pid: container.pid, startTime: container.startTime,
                                   cgroup: container.cgroup.paths, bundle: bundlePath, spec: spec)
        do {
            try store.save(state, config: spec)
            if let pidFile { try PidFile.write(container.pid, to: pidFile) }
        } catch {
            _ = try? container.destroy()
            store.remove(id)
            fail("\(error)")
        }

        let status = ForegroundLoop.run(container, signalFD: signalFD, forwardInput: true)
        do { try container.destroy() } catch { writeStderr("swiftlet-runtime: cleaning up \(id): \(error)\n") }
        store.remove(id)
        if status.oomKilled { writeStderr("swiftlet-runtime: container \(id) was OOM-killed\n") }
        Glibc.exit(status.shellCode)
    }
}
