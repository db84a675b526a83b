import ArgumentParser
import ContainerRuntime
import Foundation
import Supervisor

struct Exec: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a command in a running container; its exit status becomes ours.",
        discussion: """
            The command joins the container's namespaces and cgroup and gets its user, environment, capabilities and seccomp filter. Signals are passed on; a command killed by signal N exits with 128+N.

              swiftlet exec kubia-liveness -- ps
              swiftlet exec -it kubia-liveness -- sh
              swiftlet exec web -c sidecar -- cat /etc/hostname
            """
    )

    @OptionGroup var global: GlobalOptions
    @Option(name: [.customShort("c"), .long], help: "The container; needed when the pod has several.")
    var container: String?
    @Flag(name: [.customShort("i"), .long], help: "Pass stdin to the command.")
    var stdin = false
    @Flag(name: [.customShort("t"), .long], help: "Allocate a terminal (with -i, when stdin is one).")
    var tty = false
    @Argument(help: ArgumentHelp("The pod (NAME or pod/NAME).", valueName: "name"))
    var name: String
    @Argument(parsing: .postTerminator, help: "The command and its arguments, after --.")
    var command: [String] = []

    func validate() throws {
        if command.isEmpty { throw ValidationError("you must specify at least one command for the container") }
    }

    func run() throws {
        try reporting {
            let podName = try PodArguments.podName(name)
            let store = global.store
            let record = try PodView.load(podName, store: store).record
            if record.phase == "Succeeded" || record.phase == "Failed" {
                throw CLIError.error("cannot exec into a container in a completed pod; current phase is \(record.phase)")
            }
            let chosen = try ContainerSelection.choose(container, in: record)
            // The record may be stale (its supervisor died, and its containers with it): ask /proc.
            guard case .running = chosen.state, let pid = chosen.pid, let startTime = chosen.pidStartTime,
                  let cgroup = chosen.cgroup, ProcessIdentity(pid: pid, startTime: startTime).isAlive else {
                throw CLIError.error("unable to upgrade connection: container not found (\"\(chosen.name)\")")
            }
            let spec = try Self.containerSpec(store.containerSpecPath(podName, chosen.name))
            var process = spec.process ?? OCISpec.Process(args: command)
            process.args = command
            process.terminal = useTTY()

            // Without -i the command reads nothing, as under kubectl.
            let devNull = stdin ? -1 : open("/dev/null", O_RDONLY | O_CLOEXEC)
            defer { if devNull >= 0 { close(devNull) } }
            let signalFD: Int32
            do {
                signalFD = try ForegroundLoop.takeOverSignals()
            } catch {
                throw CLIError.error("\(error)")
            }
            let started: ExecProcess
            do {
                started = try ContainerRuntime.Exec.start(
                    ContainerLocation(pid: pid, startTime: startTime, cgroup: cgroup), process: process,
                    seccomp: spec.linux?.seccomp, stdio: process.terminal ? nil : Stdio(input: devNull))
            } catch {
                throw CLIError.error("\(error)")
            }
            let status = ForegroundLoop.run(started, signalFD: signalFD, forwardInput: stdin)
            if status.shellCode != 0 {
                throw CLIError("command terminated with exit code \(status.shellCode)", exitCode: status.shellCode)
            }
        }
    }

    /// kubectl allocates a terminal only with -i and when stdin is one.
    private func useTTY() -> Bool {
        guard tty, stdin else { return false }
        if isatty(0) != 1 {
            writeStderr("Unable to use a TTY - input is not a terminal or the right kind of file\n")
            return false
        }
        return true
    }

    static func containerSpec(_ path: String) throws(CLIError) -> OCISpec {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CLIError.error("cannot read the container's configuration \(path)")
        }
        do {
            return try SpecDecoder.decode(Array(data))
        } catch {
            throw CLIError.error("\(path): \(error)")
        }
    }
}
