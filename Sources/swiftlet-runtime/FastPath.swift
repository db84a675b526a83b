import ContainerRuntime

/// The verbs a client runs for every container (create, start, state, kill, delete; and run), parsed
/// by hand before swift-argument-parser is asked: its reflection-driven parse is a third of such
/// a call's time (about 1 ms of 3.4), paid three or four times per container by conmon and the
/// shim. Only runc's exact forms are taken here; anything else (--help, an unknown flag, a
/// missing id) returns nil and goes to the full parser, which runs the same `execute`.
enum FastPath {
    static func run(_ args: [String]) -> Bool {
        guard let verb = args.first else { return false }
        var flags: [String: String] = [:]
        var bools: Set<String> = []
        var positional: [String] = []
        let valued: [String: Set<String>] = [
            "create": ["--bundle", "-b", "--pid-file", "--console-socket", "--preserve-fds"],
            "run": ["--bundle", "-b", "--pid-file", "--preserve-fds"],
        ]
        let boolean: [String: Set<String>] = [
            "create": ["--no-pivot", "--no-new-keyring"], "kill": ["--all", "-a"], "delete": ["--force", "-f"],
            "start": [], "state": [], "run": [],
        ]
        guard let known = boolean[verb] else { return false }
        var i = 1
        while i < args.count {
            let arg = args[i]
            if arg.hasPrefix("-") && arg != "-" {
                let parts = arg.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                let name = String(parts[0])
                if valued[verb, default: []].contains(name) {
                    if parts.count == 2 {
                        flags[name] = String(parts[1])
                    } else {
                        guard i + 1 < args.count else { return false }
                        i += 1
                        flags[name] = args[i]
                    }
                } else if known.contains(name) && parts.count == 1 {
                    bools.insert(name)
                } else {
                    return false
                }
            } else {
                positional.append(arg)
            }
            i += 1
        }
        let store = StateStore(root: globalFlags.root)
        switch (verb, positional.count) {
        case ("start", 1): Start.execute(store: store, id: positional[0])
        case ("state", 1): State.execute(store: store, id: positional[0])
        case ("delete", 1): Delete.execute(store: store, id: positional[0], force: !bools.isDisjoint(with: ["--force", "-f"]))
        case ("kill", 1), ("kill", 2):
            Kill.execute(store: store, id: positional[0], signal: positional.count == 2 ? positional[1] : "TERM",
                         all: !bools.isDisjoint(with: ["--all", "-a"]))
        case ("create", 1), ("run", 1):
            var preserve: Int32 = 0
            if let n = flags["--preserve-fds"] {
                guard let v = Int32(n), v >= 0 else { return false }
                preserve = v
            }
            if verb == "run" {
                Run.execute(store: store, id: positional[0],
                            bundle: flags["--bundle"] ?? flags["-b"] ?? ".", pidFile: flags["--pid-file"], preserveFds: preserve)
            }
            Create.execute(store: store, id: positional[0],
                           bundle: flags["--bundle"] ?? flags["-b"] ?? ".", pidFile: flags["--pid-file"],
                           consoleSocket: flags["--console-socket"], preserveFds: preserve)
        default: return false
        }
        return true
    }
}
