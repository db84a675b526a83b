import ContainerRuntime
import Foundation

/// Drives `swiftlet-runtime` the way runc's clients do (conmon, containerd's shim through
/// go-runc): global flags before the verb, stdout and stderr to files, and a wait for the
/// runtime's own exit only, never for EOF on its output (after `create` the container's init
/// holds the stdio the runtime was given).
final class RuncClient {
    let bundle: TestBundle
    let logFile: String
    let outputDir: String

    init(_ bundle: TestBundle) {
        self.bundle = bundle
        logFile = bundle.dir + "/log.json"
        outputDir = bundle.dir + "/calls"
        try? FileManager.default.createDirectory(atPath: outputDir, withIntermediateDirectories: true)
    }

    /// One runtime call with the shim's global flags (`--root R --log L --log-format json`).
    @discardableResult
    /// `extraFiles` are opened read-only as fds 3, 4, ... of the runtime (for --preserve-fds).
    func call(_ args: [String], globals: [String]? = nil, stdin: String? = nil,
              extraFiles: [String] = []) -> TestSupport.Output {
        let flags = globals ?? ["--root", bundle.stateRoot, "--log", logFile, "--log-format", "json"]
        let tag = UUID().uuidString.prefix(8)
        let outPath = "\(outputDir)/\(tag).out", errPath = "\(outputDir)/\(tag).err"
        FileManager.default.createFile(atPath: outPath, contents: nil)
        FileManager.default.createFile(atPath: errPath, contents: nil)
        let inPath = "\(outputDir)/\(tag).in"
        FileManager.default.createFile(atPath: inPath, contents: Data((stdin ?? "").utf8))
        // posix_spawn and waitpid, not Foundation's Process: it waits for a descriptor of its own
        // that a created container's init would hold until `start`.
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, stdin == nil ? "/dev/null" : inPath, O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_APPEND, 0)
        posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_APPEND, 0)
        for (i, path) in extraFiles.enumerated() {
            posix_spawn_file_actions_addopen(&actions, Int32(3 + i), path, O_RDONLY, 0)
        }
        let argv: [UnsafeMutablePointer<CChar>?] = ([TestSupport.runtime] + flags + args).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, TestSupport.runtime, &actions, nil, argv, environ)
        guard rc == 0 else { return TestSupport.Output(status: -1, stdout: "", stderr: "posix_spawn: \(rc)") }
        var raw: Int32 = 0
        while waitpid(pid, &raw, 0) < 0 && errno == EINTR {}
        let status = ExitStatus(waitStatus: raw, oomKilled: false).shellCode
        return TestSupport.Output(status: status, stdout: (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "",
                                  stderr: (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "")
    }

    /// `state ID` decoded; nil when the call failed.
    func state(_ id: String) -> [String: Any]? {
        let r = call(["state", id])
        guard r.status == 0 else { return nil }
        return (try? JSONSerialization.jsonObject(with: Data(r.stdout.utf8))) as? [String: Any]
    }

    func status(_ id: String) -> String? { state(id)?["status"] as? String }

    /// Polls `state` until it reports `status` (a container's end is seen by its reaper first).
    func waitForStatus(_ id: String, _ status: String, seconds: Double = 5) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if self.status(id) == status { return true }
            usleep(20_000)
        }
        return false
    }

    /// The log's lines, decoded.
    func logLines() -> [[String: Any]] {
        guard let text = try? String(contentsOfFile: logFile, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any]
        }
    }
}

/// Waits up to `seconds` for a condition.
func eventually(seconds: Double = 5, _ condition: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if condition() { return true }
        usleep(20_000)
    }
    return condition()
}

func processExists(_ pid: Int32) -> Bool {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
          let close = stat.lastIndex(of: ")") else { return false }
    let state = stat[stat.index(close, offsetBy: 2)]
    return state != "Z" && state != "X"
}
