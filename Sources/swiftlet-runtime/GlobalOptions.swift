import ArgumentParser
import ContainerRuntime
#if canImport(Glibc)
import Glibc
#endif

/// runc's global flags, given before the verb (`swiftlet-runtime --root R --log F create ...`), in
/// `--x v` and `--x=v` forms. main.swift takes them off the command line before the verb is
/// parsed, as runc (urfave/cli) and crun accept them only there.
struct GlobalFlags: Sendable {
    var root = "/run/swiftlet-runtime"
    var log: String?
    var logFormat = "text"
    var debug = false
    var systemdCgroup = false

    static let valued: Set<String> = ["--root", "--log", "--log-format", "--rootless", "--criu"]
    static let boolean: Set<String> = ["--debug", "--systemd-cgroup"]

    /// The flags before the verb, and the arguments left for the verb's parser.
    static func extract(_ args: [String]) throws(ValidationError) -> (GlobalFlags, [String]) {
        var flags = GlobalFlags()
        var rest: [String] = []
        var i = 0
        while i < args.count {
            let arg = args[i]
            guard arg.hasPrefix("--") else { break }   // the verb
            let name = String(arg.split(separator: "=", maxSplits: 1)[0])
            var value: String? = arg.contains("=") ? String(arg.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)[1]) : nil
            if valued.contains(name) {
                if value == nil {
                    guard i + 1 < args.count else { throw ValidationError("\(name) needs a value") }
                    i += 1
                    value = args[i]
                }
                switch name {
                case "--root": flags.root = value!
                case "--log": flags.log = value!
                case "--log-format":
                    guard value == "text" || value == "json" else {
                        throw ValidationError("--log-format \(value!): expected text or json")
                    }
                    flags.logFormat = value!
                default: break   // --rootless, --criu: accepted for runc's callers, nothing to do as root
                }
            } else if boolean.contains(name) {
                if name == "--debug" { flags.debug = value != "false" }
                if name == "--systemd-cgroup" { flags.systemdCgroup = value != "false" }
            } else {
                rest.append(arg)   // --help, --version: the parser's
            }
            i += 1
        }
        return (flags, rest + args[i...])
    }
}

/// The flags main.swift extracted, for every verb. Set once before any verb runs.
nonisolated(unsafe) var globalFlags = GlobalFlags()

struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Directory for container state; also accepted before the verb, as runc takes it.", visibility: .hidden))
    var root: String?

    var stateRoot: String { root ?? globalFlags.root }
    var store: StateStore { StateStore(root: stateRoot) }
}

/// Reports an error as runc does, to the `--log` file (a JSON or logrus text line) and to stderr,
/// then exits with `code`. Clients read either: containerd the log's last error line, podman the
/// log or, without JSON logging, our stderr.
func fail(_ message: String, code: Int32 = 1) -> Never {
    RuntimeLog.write(level: "error", message)
    writeStderr("swiftlet-runtime: \(message)\n")
    exit(code)
}

/// A warning goes to the `--log` file when there is one (with podman our stderr is the container's
/// stderr), else to stderr, as runc's logrus does.
func warn(_ message: String) {
    if RuntimeLog.isOpen {
        RuntimeLog.write(level: "warning", message)
    } else {
        writeStderr("swiftlet-runtime: warning: \(message)\n")
    }
}

func writeStderr(_ s: String) {
    write(all: Array(s.utf8), to: 2)
}

func writeStdout(_ s: String) {
    write(all: Array(s.utf8), to: 1)
}

func write(all bytes: [UInt8], to fd: Int32) {
    var off = 0
    while off < bytes.count {
        let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + off, $0.count - off) }
        if n <= 0 { if errno == EINTR { continue }; return }
        off += n
    }
}

/// Reads `fd` to EOF (stdin for `update --resources -`, ps(1)'s output).
func readAll(fd: Int32) -> [UInt8] {
    var out: [UInt8] = []
    var buf = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = buf.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if n < 0 && errno == EINTR { continue }
        if n <= 0 { return out }
        out += buf[0..<n]
    }
}

/// Blocks every signal and returns a signalfd that receives them, for ForegroundLoop to pass on.
/// Done first thing: a signal that arrives while the container is being set up is then passed
/// to it (or handled by us) instead of killing us half-way and leaving it behind.
func takeOverSignals() -> Int32 {
    do {
        return try ForegroundLoop.takeOverSignals()
    } catch {
        fail("\(error)")
    }
}

func requireRoot() {
    if geteuid() != 0 { fail("must be run as root") }
}
