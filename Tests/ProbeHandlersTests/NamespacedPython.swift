import Foundation
import Glibc

/// A python script as the only process of a new network namespace (`unshare --net`, lo up),
/// started once it prints READY. exec all the way down: the pid held is python's, and so is the
/// namespace probed (`/proc/<pid>/ns/net`). Its stderr goes to `<directory>/stderr`.
struct NamespacedPython {
    let process: Process
    /// Closing it ends the script (the test servers exit when their stdin closes).
    let stdin: Pipe

    static func start(_ script: String, _ arguments: [String], directory: URL) throws -> NamespacedPython {
        let python = Host.executable("python3", preferring: "/usr/bin/python3") ?? "python3"
        let ip = Host.executable("ip") ?? "ip"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Host.executable("unshare") ?? "/usr/bin/unshare")
        process.arguments = ["--net", "--", "/bin/sh", "-c", "\(ip) link set lo up && exec \"$0\" -u \"$@\"",
                             python, script] + arguments
        let stdin = Pipe()
        let stdout = Pipe()
        let stderrFile = directory.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: stderrFile.path, contents: nil)
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = try FileHandle(forWritingTo: stderrFile)
        try process.run()
        var output = Data()
        while !String(decoding: output, as: UTF8.self).contains("READY") {
            let chunk = stdout.fileHandleForReading.availableData
            if chunk.isEmpty {
                let log = (try? String(contentsOf: stderrFile, encoding: .utf8)) ?? ""
                if process.isRunning { kill(process.processIdentifier, SIGKILL) }
                process.waitUntilExit()
                throw ServerStartError(description: "server did not start: \(log)")
            }
            output.append(chunk)
        }
        return NamespacedPython(process: process, stdin: stdin)
    }
}

extension Host {
    /// The first of `count` consecutive ports that nothing listens on at 127.0.0.1 here.
    static func closedLoopbackPorts(_ count: Int) throws -> Int {
        for _ in 0..<50 {
            let candidate = Int.random(in: 20_000..<60_000)
            if (0..<count).allSatisfy({ loopbackPortIsClosed(candidate + $0) }) { return candidate }
        }
        throw ServerStartError(description: "no free port range on the host")
    }
}
