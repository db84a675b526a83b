import ArgumentParser

/// `swiftlet-runtime`: an OCI runtime with runc's verbs and flags where runc has the same idea.
struct SwiftletRuntime: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "swiftlet-runtime",
        abstract: "Run OCI containers in real isolation (namespaces, cgroups, seccomp, capabilities).",
        discussion: """
            A bundle is a directory with config.json and the rootfs it names. Typical use:

              swiftlet-runtime spec > bundle/config.json     # our default security profile
              swiftlet-runtime run --bundle bundle mybox     # stdio attached, exit status passed on
              swiftlet-runtime exec mybox -- ps              # from another terminal
              swiftlet-runtime list / state mybox / kill mybox TERM / delete mybox

            Must run as root. State lives under --root (default /run/swiftlet-runtime).
            """,
        subcommands: [Spec.self, Run.self, Exec.self, List.self, State.self, Kill.self, Delete.self]
    )

    // runc puts global flags before the verb (`runc --root X run ...`); accepted here too.
    @OptionGroup var global: GlobalOptions
}

SwiftletRuntime.main()
