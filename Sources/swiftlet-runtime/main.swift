import ArgumentParser

/// `swiftlet-runtime`: an OCI runtime with runc's verbs and flags where runc has the same idea.
struct SwiftletRuntime: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "swiftlet-runtime",
        abstract: "Run OCI containers in real isolation (namespaces, cgroups, seccomp, capabilities).",
        discussion: """
            A bundle is a directory with config.json and the rootfs it names. Must run as root; state lives under --root (default /run/swiftlet-runtime).

              swiftlet-runtime spec > bundle/config.json  # default profile
              swiftlet-runtime run --bundle bundle mybox  # attached
              swiftlet-runtime exec mybox -- ps           # another terminal
              swiftlet-runtime list
              swiftlet-runtime state mybox
              swiftlet-runtime kill mybox TERM
              swiftlet-runtime delete mybox
            """,
        subcommands: [Spec.self, Run.self, Exec.self, List.self, State.self, Kill.self, Delete.self]
    )

    // runc puts global flags before the verb (`runc --root X run ...`); accepted here too.
    @OptionGroup var global: GlobalOptions
}

SwiftletRuntime.main()
