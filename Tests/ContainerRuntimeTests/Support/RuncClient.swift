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
    func call(_ args: [String], globals: [String]? = nil, stdin: String? = nil) -> TestSupport.Output {
        let flags = globals ?? ["--root", bundle.stateRoot, "--log", logFile, "--log-format", "json"]
        let tag = UUID().uuidString.prefix(8)
        let outPath = "\(outputDir)/\(tag).out", errPath = "\(outputDir)/\(tag).err"
        FileManager.default.createFile(atPath: outPath, contents: nil)
        FileManager.default.createFile(atPath: errPath, contents: nil)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: TestSupport.runtime)
        p.arguments = flags + args
        p.standardOutput = FileHandle(forWritingAtPath: outPath)
        p.standardError = FileHandle(forWritingAtPath: errPath)
        if let stdin {
            let pipe = Pipe()
            p.standardInput = pipe
            do { try p.run() } catch { return TestSupport.Output(status: -1, stdout: "", stderr: "\(error)") }
            pipe.fileHandleForWriting.write(Data(stdin.utf8))
            try? pipe.fileHandleForWriting.close()
        } else {
            p.standardInput = FileHandle.nullDevice
            do { try p.run() } catch { return TestSupport.Output(status: -1, stdout: "", stderr: "\(error)") }
        }
        p.waitUntilExit()
        let status = p.terminationReason == .uncaughtSignal ? 128 + p.terminationStatus : p.terminationStatus
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
