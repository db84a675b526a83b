import ArgumentParser
import CShims
import ContainerRuntime
#if canImport(Glibc)
import Glibc
#endif

struct Exec: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exec",
        abstract: "Run a process inside a created or running container.",
        discussion: """
            The process joins the container's namespaces and cgroup and gets the container's seccomp filter; with --process its capabilities, user and environment are the file's (an OCI process object, as podman and containerd write it), otherwise the container's process settings with the flags below. In the foreground swiftlet-runtime exits with the process's status (128+N for signal N); with --detach it exits 0 once the process runs, its pid in --pid-file.

              swiftlet-runtime exec mybox ps
              swiftlet-runtime exec -t mybox sh
              swiftlet-runtime exec -e A=1 --cwd /tmp -u 65534:65534 mybox -- id
              swiftlet-runtime exec --process proc.json --detach --pid-file p mybox
            """
    )

    @OptionGroup var global: GlobalOptions
    @Option(name: [.short, .long], help: "An OCI process JSON file describing the process (replaces the command).")
    var process: String?
    @Flag(name: [.short, .long], help: "Exit once the process runs; it keeps running (its pid in --pid-file).")
    var detach = false
    @Flag(name: [.short, .long], help: "Allocate a pty.")
    var tty = false
    @Option(name: .long, help: "Unix socket path to send the pty master to (with a terminal and --detach).")
    var consoleSocket: String?
    @Option(name: [.short, .long], help: "Set an environment variable (KEY=VALUE); repeatable.")
    var env: [String] = []
    @Option(name: .long, help: "Working directory inside the container.")
    var cwd: String?
    @Option(name: [.short, .long], help: "UID[:GID] to run as.")
    var user: String?
    @Option(name: .long, help: "Write the process's pid to this file (no newline).")
    var pidFile: String?
    @Option(name: .long, help: "Pass this many extra fds (3, 4, ...) to the process.")
    var preserveFds: Int32 = 0
    @Argument(help: "The container id.")
    var id: String
    @Argument(parsing: .captureForPassthrough, help: "The command and its arguments (without --process).")
    var command: [String] = []

    func validate() throws {
        for e in env where !e.contains("=") { throw ValidationError("--env \(e): expected KEY=VALUE") }
    }

    func run() throws {
        requireRoot()
        let args = command.first == "--" ? Array(command.dropFirst()) : command
        if process == nil && args.isEmpty {
            fail("missing the command to run: swiftlet-runtime exec ID CMD [ARGS...], or --process FILE")
        }
        // Foreground only: signals we get go to the process.
        let signalFD = detach ? -1 : takeOverSignals()

        let store = global.store
        let state: ContainerState
        let config: OCISpec
        do {
            state = try store.load(id)
            config = try store.config(id)
        } catch { fail("\(error)") }
        switch store.status(of: state) {
        case .stopped: fail("cannot exec in a stopped container")
        case .paused: fail("cannot exec in a paused container")
        default: break
        }

        var p: OCISpec.Process
        if let process {
            do { p = try ProcessFile.load(process) } catch { fail("\(error)") }
        } else {
            p = config.process ?? OCISpec.Process(args: args)
            p.args = args
            p.terminal = tty
        }
        if tty { p.terminal = true }
        p.env = merge(p.env, env)
        if let cwd { p.cwd = cwd }
        if let user {
            let parts = user.split(separator: ":", omittingEmptySubsequences: false)
            guard let uid = UInt32(parts[0]), parts.count <= 2, let gid = UInt32(parts.count == 2 ? parts[1] : "0")
            else { fail("--user \(user): expected UID[:GID] as numbers") }
            p.user = OCISpec.User(uid: uid, gid: gid)
        }
        if detach && p.terminal && consoleSocket == nil {
            fail("a detached exec with a terminal needs --console-socket to send its pty to")
        }
        if consoleSocket != nil && !p.terminal {
            fail("--console-socket given but the process has no terminal")
        }

        let started: ExecProcess
        do {
            let console = try consoleSocket.map { (path) throws(RuntimeError) in try ConsoleSocket.connect(path: path) }
            defer { if let console { close(console) } }
            started = try ContainerRuntime.Exec.start(state.location, process: p, seccomp: config.linux?.seccomp,
                                                      dieWithParent: !detach, consoleSocket: console,
                                                      preserveFDs: preserveFds, seccompCacheDirectory: global.store.seccompCacheDirectory)
        } catch { fail("\(error)") }
        if let pidFile {
            do { try PidFile.write(started.pid, to: pidFile) } catch { started.signal(SIGKILL); fail("\(error)") }
        }
        if detach { Glibc.exit(0) }
        let status = ForegroundLoop.run(started, signalFD: signalFD, forwardInput: true)
        Glibc.exit(status.shellCode)
    }

    /// The container's environment with the --env values replacing variables of the same name.
    private func merge(_ base: [String], _ extra: [String]) -> [String] {
        func key(_ s: String) -> Substring { s.split(separator: "=", maxSplits: 1).first ?? "" }
        let overridden = Set(extra.map(key))
        return base.filter { !overridden.contains(key($0)) } + extra
    }
}
