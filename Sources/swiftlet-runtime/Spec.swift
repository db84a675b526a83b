import ArgumentParser
import ContainerRuntime

struct Spec: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "spec",
        abstract: "Print a config.json with swiftlet's default security profile.",
        discussion: """
            The profile: Docker's 14 capabilities, no_new_privs, a seccomp allowlist equivalent to Docker's default, masked and read-only /proc and /sys paths, a tmpfs /dev with only the standard devices, and new pid, mount, network, ipc, uts and cgroup namespaces.

              swiftlet-runtime spec > bundle/config.json
              swiftlet-runtime spec --rootfs /srv/busybox -- sh -c 'echo hi'
            """
    )

    @Option(name: .long, help: "root.path of the config (relative paths are taken from the bundle).")
    var rootfs: String = "rootfs"
    @Flag(name: [.short, .long], help: "Allocate a pty for the process (process.terminal).")
    var terminal = false
    @Argument(parsing: .postTerminator, help: "process.args (default: sh).")
    var args: [String] = []

    func run() throws {
        let spec = DefaultSpec.make(rootfs: rootfs, args: args.isEmpty ? ["sh"] : args, terminal: terminal)
        writeStdout(SpecEncoder.encode(spec).text(pretty: true) + "\n")
    }
}
