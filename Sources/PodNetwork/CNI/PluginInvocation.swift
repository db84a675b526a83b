import Foundation
import Glibc
import GoFormat

/// One run of one plugin (SPEC §2; libcni `pkg/invoke`).
struct PluginInvocation: Sendable {
    enum Command: String, Sendable { case add = "ADD", del = "DEL" }

    var command: Command
    var plugin: CNIPluginConfig
    var containerID: String
    var netns: String
    var ifName: String
    var cniArgs: [[String]]
    var stdin: [UInt8]

    /// The plugin's stdout on success (trimmed; for ADD a JSON object), else a sentence starting
    /// with "plugin <type>" (or `plugin "<type>" not found in …`).
    func run(_ runtime: CNIRuntime) -> Result<String, NetworkError> {
        guard let path = Self.find(plugin.type, in: runtime.binDirs) else {
            return .failure(NetworkError("plugin \(goQuoted(plugin.type)) not found in \(runtime.binDirs.joined(separator: ", "))"))
        }
        let environment = environment(runtime)
        let stdin = self.stdin
        let timeout = runtime.timeout
        let outcome: PluginProcessOutcome
        if let netns = runtime.pluginNetns {
            switch NetnsThread.run(in: netns, { PluginProcess.run(path: path, environment: environment, stdin: stdin, timeout: timeout) }) {
            case let .success(result): outcome = result
            case let .failure(error): return .failure(NetworkError("plugin \(plugin.type): \(error)"))
            }
        } else {
            outcome = PluginProcess.run(path: path, environment: environment, stdin: stdin, timeout: timeout)
        }
        return interpret(outcome, path: path, timeout: timeout)
    }

    func interpret(_ outcome: PluginProcessOutcome, path: String, timeout: Duration) -> Result<String, NetworkError> {
        let name = "plugin \(plugin.type)"
        switch outcome.ending {
        case .exited(0):
            let text = JSONText.trimmed(outcome.stdout)
            if command == .add, JSONText.object(Array(text.utf8)) == nil {
                let shown = text.isEmpty ? "nothing" : String(text.prefix(200))
                return .failure(NetworkError("\(name): ADD succeeded but printed no JSON result: \(shown)"))
            }
            return .success(text)
        case .timedOut:
            return .failure(NetworkError("\(name): timed out after \(Self.format(timeout))"))
        case let .notStarted(code):
            return .failure(NetworkError("\(name): cannot run \(path): \(String(cString: strerror(code)))"))
        case let .exited(status):
            return .failure(NetworkError("\(name): \(Self.failureText(outcome, ending: "exit status \(status)"))"))
        case let .signaled(signal):
            return .failure(NetworkError("\(name): \(Self.failureText(outcome, ending: signal == 0 ? "lost (reaped elsewhere)" : "killed by signal \(signal)"))"))
        }
    }

    /// The error JSON's `msg` (+ ": details") + " (code N)", from stdout (where the reference
    /// skeleton prints it) or stderr (where SPEC puts it); else the output text and the ending.
    static func failureText(_ outcome: PluginProcessOutcome, ending: String) -> String {
        for stream in [outcome.stdout, outcome.stderr] {
            guard let error = JSONText.object(Array(JSONText.trimmed(stream).utf8)),
                  let msg = error["msg"] as? String, !msg.isEmpty else { continue }
            var text = msg
            if let details = error["details"] as? String, !details.isEmpty { text += ": " + details }
            if let code = (error["code"] as? NSNumber)?.intValue { text += " (code \(code))" }
            return text
        }
        let stderr = JSONText.trimmed(outcome.stderr)
        let output = stderr.isEmpty ? JSONText.trimmed(outcome.stdout) : stderr
        return output.isEmpty ? ending : "\(output.prefix(4096)) (\(ending))"
    }

    /// The parent's environment plus the CNI variables; PATH gets /usr/sbin and /sbin (iptables).
    func environment(_ runtime: CNIRuntime) -> [String] {
        var variables = ProcessInfo.processInfo.environment
        variables["CNI_COMMAND"] = command.rawValue
        variables["CNI_CONTAINERID"] = containerID
        variables["CNI_NETNS"] = netns
        variables["CNI_IFNAME"] = ifName
        variables["CNI_ARGS"] = cniArgs.map { $0.joined(separator: "=") }.joined(separator: ";")
        variables["CNI_PATH"] = runtime.binDirs.joined(separator: ":")
        var path = (variables["PATH"] ?? "").split(separator: ":").map(String.init)
        if path.isEmpty { path = ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"] }
        for needed in ["/usr/sbin", "/sbin"] where !path.contains(needed) { path.append(needed) }
        variables["PATH"] = path.joined(separator: ":")
        return variables.map { "\($0.key)=\($0.value)" }.sorted()
    }

    /// The first regular, executable file named `type` in `dirs`.
    static func find(_ type: String, in dirs: [String]) -> String? {
        for dir in dirs where !dir.isEmpty {
            let path = dir.hasSuffix("/") ? dir + type : dir + "/" + type
            var info = stat()
            if stat(path, &info) == 0, info.st_mode & S_IFMT == S_IFREG, access(path, X_OK) == 0 { return path }
        }
        return nil
    }

    /// Go's style: 30s, 1.5s, 250ms.
    static func format(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        if attoseconds == 0 { return "\(seconds)s" }
        let ms = Double(seconds) * 1000 + Double(attoseconds) / 1e15
        if ms < 1000 { return "\(ms.rounded() == ms ? String(Int(ms)) : String(ms))ms" }
        return "\(ms / 1000)s"
    }
}
