import ArgumentParser
import ContainerRuntime
#if canImport(Glibc)
import Glibc
#endif

struct Pause: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pause",
        abstract: "Freeze every process of a container (cgroup freezer); `resume` thaws them.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The container id.")
    var id: String

    func run() throws {
        requireRoot()
        do { try ContainerControl.pause(store: global.store, id: id) } catch { fail("\(error)") }
    }
}

struct Resume: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "resume", abstract: "Thaw a paused container.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The container id.")
    var id: String

    func run() throws {
        requireRoot()
        do { try ContainerControl.resume(store: global.store, id: id) } catch { fail("\(error)") }
    }
}

struct Ps: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ps",
        abstract: "List a container's processes.",
        discussion: """
            --format json prints the host pids as a JSON array (what containerd reads); table runs ps(1) with the given options (default -ef) and keeps the container's rows.

              swiftlet-runtime ps mybox
              swiftlet-runtime ps --format json mybox
              swiftlet-runtime ps mybox -- -o pid,comm
            """
    )
    @OptionGroup var global: GlobalOptions
    @Option(name: [.short, .long], help: "table or json.")
    var format: String = "table"
    @Argument(help: "The container id.")
    var id: String
    @Argument(parsing: .captureForPassthrough, help: "Options for ps(1) (table format).")
    var psOptions: [String] = []

    func run() throws {
        requireRoot()
        let pids: [Int32]
        do { pids = try ContainerControl.pids(store: global.store, id: id) } catch { fail("\(error)") }
        switch format {
        case "json": writeStdout(JSONValue.array(pids.map { .integer($0) }).text(pretty: false) + "\n")
        case "table": writeStdout(PsTable.filter(options: psOptions.first == "--" ? Array(psOptions.dropFirst()) : psOptions, pids: Set(pids)))
        default: fail("--format \(format): expected table or json")
        }
    }
}

struct Update: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "update",
        abstract: "Change a running container's resource limits.",
        discussion: """
            --resources takes a LinuxResources JSON object (the linux.resources of config.json), from a file or - for stdin, as podman and containerd send it. Only the limits given change.

              echo '{"pids":{"limit":100}}' | swiftlet-runtime update -r - mybox
            """
    )
    @OptionGroup var global: GlobalOptions
    @Option(name: [.short, .long], help: "A LinuxResources JSON file, or - for stdin.")
    var resources: String
    @Argument(help: "The container id.")
    var id: String

    func run() throws {
        requireRoot()
        let bytes: [UInt8]
        if resources == "-" {
            bytes = readAll(fd: 0)
        } else {
            do { bytes = try JSONFile.read(resources) } catch { fail("--resources: \(error)") }
        }
        do {
            try ContainerControl.update(store: global.store, id: id, resourcesJSON: bytes, source: resources == "-" ? "stdin" : resources)
        } catch { fail("\(error)") }
    }

}
