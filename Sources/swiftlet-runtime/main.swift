import ArgumentParser
import ContainerRuntime
#if canImport(Glibc)
import Glibc
#endif

/// `swiftlet-runtime`: an OCI runtime with runc's command line, so podman (through conmon),
/// containerd's runc shim and CRI-O can drive it in runc's place.
struct SwiftletRuntime: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "swiftlet-runtime",
        abstract: "Run OCI containers in real isolation (namespaces, cgroups, seccomp, capabilities).",
        discussion: """
            A bundle is a directory with config.json and the rootfs it names. Must run as root; state lives under --root (default /run/swiftlet-runtime). The command line is runc's: podman, containerd and CRI-O call these verbs.

            Global options (before the verb, as with runc):
              --root DIR              state directory
              --log FILE              errors (and --debug lines); always created
              --log-format text|json  json: {"level","msg","time"} lines
              --systemd-cgroup        cgroupsPath is slice:prefix:name
              --debug                 log debug lines

            One container's life, as a client drives it:
              swiftlet-runtime spec > bundle/config.json   # default profile
              swiftlet-runtime create -b bundle --pid-file box.pid box
              swiftlet-runtime start box                   # the program runs
              swiftlet-runtime state box                   # created, running...
              swiftlet-runtime exec box ps                 # or --detach
              swiftlet-runtime kill box TERM
              swiftlet-runtime delete box                  # --force: kill first
            In one step, attached: swiftlet-runtime run --bundle bundle box
            """,
        version: RuntimeVersion.text,
        subcommands: [Spec.self, Create.self, Start.self, Run.self, Exec.self, State.self, List.self, Kill.self,
                      Delete.self, Ps.self, Pause.self, Resume.self, Update.self, Features.self]
    )

    @OptionGroup var global: GlobalOptions
}

// Global flags come before the verb; the verb's parser never sees them.
var arguments = Array(CommandLine.arguments.dropFirst())
do {
    (globalFlags, arguments) = try GlobalFlags.extract(arguments)
} catch {
    SwiftletRuntime.exit(withError: error)
}
RuntimeLog.open(globalFlags)
RuntimeWarnings.handler = { warn($0) }
RuntimeLog.debug("swiftlet-runtime \(CommandLine.arguments.dropFirst().joined(separator: " "))")
if FastPath.run(arguments) { exit(0) }
do {
    var command = try SwiftletRuntime.parseAsRoot(arguments)
    try command.run()
} catch {
    // A usage error is an error too: clients read the log, not our usage text.
    let code = SwiftletRuntime.exitCode(for: error)
    if code != .success { RuntimeLog.write(level: "error", SwiftletRuntime.message(for: error)) }
    SwiftletRuntime.exit(withError: error)
}
