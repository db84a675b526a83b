import ArgumentParser
import CShims
import ContainerRuntime
#if canImport(Glibc)
import Glibc
#endif

struct Exec: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a command inside a running container; its exit status becomes ours.",
        discussion: """
            The process joins the container's namespaces and cgroup and gets the container's capabilities, no_new_privs and seccomp filter. Environment, working directory and user default to the container's process settings.

              swiftlet-runtime exec mybox -- ps
              swiftlet-runtime exec -t mybox -- sh
              swiftlet-runtime exec -e A=1 --cwd /tmp -u 65534:65534 mybox -- id
            """
    )

    @OptionGroup var global: GlobalOptions
    @Flag(name: [.short, .long], help: "Allocate a pty.")
    var tty = false
    @Option(name: [.short, .long], help: "Set an environment variable (KEY=VALUE); repeatable.")
    var env: [String] = []
    @Option(name: .long, help: "Working directory inside the container.")
    var cwd: String?
    @Option(name: [.short, .long], help: "UID[:GID] to run as.")
    var user: String?
    @Option(name: .long, help: "Write the process's pid to this file.")
    var pidFile: String?
    @Argument(help: "The container id.")
    var id: String
    @Argument(parsing: .postTerminator, help: "The command and its arguments (after --).")
    var command: [String] = []

    func validate() throws {
        if command.isEmpty { throw ValidationError("missing the command to run: swiftlet-runtime exec ID -- CMD [ARGS...]") }
        for e in env where !e.contains("=") { throw ValidationError("--env \(e): expected KEY=VALUE") }
    }

    func run() throws {
        requireRoot()
        let signalFD = takeOverSignals()

        let store = global.store
        let state: ContainerState
        let config: OCISpec
        do {
            state = try store.load(id)
            config = try store.config(id)
        } catch { fail("\(error)") }
        guard state.status == "running" else { fail("container \"\(id)\" is not running") }

        var process = config.process ?? OCISpec.Process(args: command)
        process.args = command
        process.terminal = tty
        process.env = merge(process.env, env)
        if let cwd { process.cwd = cwd }
        if let user {
            let parts = user.split(separator: ":", omittingEmptySubsequences: false)
            guard let uid = UInt32(parts[0]), parts.count <= 2, let gid = UInt32(parts.count == 2 ? parts[1] : "0")
            else { fail("--user \(user): expected UID[:GID] as numbers") }
            process.user = OCISpec.User(uid: uid, gid: gid)
        }

        let p: ExecProcess
        do {
            p = try ContainerRuntime.Exec.start(state.location, process: process, seccomp: config.linux?.seccomp)
        } catch { fail("\(error)") }
        if let pidFile {
            do { try PidFile.write(p.pid, to: pidFile) } catch { p.signal(SIGKILL); fail("\(error)") }
        }
        let status = ForegroundLoop.run(p, signalFD: signalFD, forwardInput: true)
        Glibc.exit(status.shellCode)
    }

    /// The container's environment with the --env values replacing variables of the same name.
    private func merge(_ base: [String], _ extra: [String]) -> [String] {
        func key(_ s: String) -> Substring { s.split(separator: "=", maxSplits: 1).first ?? "" }
        let overridden = Set(extra.map(key))
        return base.filter { !overridden.contains(key($0)) } + extra
    }
}
