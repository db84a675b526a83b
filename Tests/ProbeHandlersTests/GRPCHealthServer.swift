import Foundation
import Glibc
import ProbeHandlers

/// `rootfs/grpc-health/server.py` (python3-grpcio) in a new network namespace of its own
/// (`unshare --net`, lo up), listening on 127.0.0.1 there: `port` a health service,
/// `port + 1` a gRPC server with no service, `port + 2` a listener that never answers,
/// `port + 3` nothing. The same ports are checked closed on the host, so a probe only
/// succeeds if it really ran inside the namespace.
final class GRPCHealthServer: @unchecked Sendable {
    static let script: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path + "/rootfs/grpc-health/server.py"
    }()

    /// Root, unshare, ip, and Debian's python3 with grpcio (python3-grpcio, in `make deps`).
    static let canRun: Bool = Host.canRunNamespacedServer && {
        let probe = Process()
        probe.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        probe.arguments = ["-c", "import grpc"]
        probe.standardOutput = FileHandle.nullDevice
        probe.standardError = FileHandle.nullDevice
        guard (try? probe.run()) != nil else { return false }
        probe.waitUntilExit()
        return probe.terminationStatus == 0
    }()

    let port: Int
    var emptyPort: Int { port + 1 }
    var silentPort: Int { port + 2 }
    var closedPort: Int { port + 3 }
    private let process: Process
    private let stdin: Pipe
    private let directory: URL
    var netns: String { "/proc/\(process.processIdentifier)/ns/net" }
    /// One line per call the server answered: `service=<s> user-agent=<ua>`.
    var log: String { (try? String(contentsOf: directory.appendingPathComponent("calls"), encoding: .utf8)) ?? "" }

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("grpc-probe-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        port = try Host.closedLoopbackPorts(4)
        let arguments = ["--log", directory.appendingPathComponent("calls").path, "\(port)", "\(port + 1):empty", "\(port + 2):silent"]
        let started: NamespacedPython
        do {
            started = try NamespacedPython.start(Self.script, arguments, directory: directory)
        } catch {
            try? FileManager.default.removeItem(at: directory)
            throw error
        }
        process = started.process
        stdin = started.stdin
    }

    func target(_ port: Int? = nil, service: String = "") -> GRPCProbeTarget {
        GRPCProbeTarget(port: port ?? self.port, service: service)
    }

    /// Kill by pid (never by name), reap, and remove the files.
    func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        try? stdin.fileHandleForWriting.close()
        try? FileManager.default.removeItem(at: directory)
    }

    /// Client-side TCP sockets in the server's namespace still open (ESTABLISHED, SYN_SENT or
    /// CLOSE_WAIT with a local port that is not a server port): sockets the probe left behind.
    func openClientSockets() -> [String] {
        let serverPorts = Set(port...(port + 2))
        guard let text = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/net/tcp", encoding: .utf8) else { return [] }
        return text.split(separator: "\n").dropFirst().filter { line in
            let fields = line.split(separator: " ")
            guard fields.count > 3, let hex = fields[1].split(separator: ":").last, let local = Int(hex, radix: 16) else { return false }
            return !serverPorts.contains(local) && ["01", "02", "08"].contains(String(fields[3]))
        }.map(String.init)
    }
}

/// A gRPC server in its own namespace plus a ProbeIO, both torn down whatever the test does.
/// The server starts off the Swift concurrency pool (it blocks until the server says READY).
func withGRPCHealthServer(_ body: (GRPCHealthServer, ProbeIO) async throws -> Void) async throws {
    let server = try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async { continuation.resume(with: Result { try GRPCHealthServer() }) }
    }
    defer { server.stop() }
    let io = try ProbeIO()
    do {
        try await body(server, io)
    } catch {
        try? await io.shutdown()
        throw error
    }
    try? await io.shutdown()
}
