import Foundation
import Glibc
import ProbeHandlers

/// What the namespace tests need from the machine.
enum Host {
    static let isRoot = getuid() == 0

    static func executable(_ name: String, preferring preferred: String? = nil) -> String? {
        if let preferred, access(preferred, X_OK) == 0 { return preferred }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/sbin:/usr/bin:/sbin:/bin"
        for directory in path.split(separator: ":") + ["/usr/bin", "/bin", "/usr/sbin", "/sbin"] {
            let candidate = "\(directory)/\(name)"
            if access(candidate, X_OK) == 0 { return candidate }
        }
        return nil
    }

    static let canRunNamespacedServer = isRoot && executable("unshare") != nil && executable("ip") != nil
        && executable("python3", preferring: "/usr/bin/python3") != nil
    static let hasOpenSSL = executable("openssl") != nil

    /// True when nothing listens on 127.0.0.1:port in the test process's own namespace.
    static func loopbackPortIsClosed(_ port: Int) -> Bool {
        let fd = socket(AF_INET, CInt(SOCK_STREAM.rawValue) | CInt(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        return rc != 0 && errno == ECONNREFUSED
    }

}

struct ServerStartError: Error, CustomStringConvertible {
    let description: String
}

/// A python HTTP server in a new network namespace of its own (`unshare --net`, lo up).
/// The namespace is `/proc/<pid>/ns/net`; on the host the same ports are checked to be closed,
/// so a probe only succeeds if it really ran inside the namespace.
final class NamespacedServer: @unchecked Sendable {
    let port: Int
    let tlsPort: Int?
    private let process: Process
    private let stdin: Pipe
    private let directory: URL

    var pid: Int32 { process.processIdentifier }
    var netns: String { "/proc/\(pid)/ns/net" }
    /// A port nothing listens on inside the namespace.
    var closedPort: Int { port + 2 }

    init(tls: Bool) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("probeio-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        port = try Host.closedLoopbackPorts(3)
        tlsPort = tls ? port + 1 : nil
        var arguments = [String(port), String(tlsPort ?? 0)]
        if tls {
            let (cert, key) = try Self.makeCertificate(in: directory)
            arguments += [cert, key]
        }
        let script = directory.appendingPathComponent("server.py")
        try probeServerScript.write(to: script, atomically: true, encoding: .utf8)

        let started: NamespacedPython
        do {
            started = try NamespacedPython.start(script.path, arguments, directory: directory)
        } catch {
            try? FileManager.default.removeItem(at: directory)
            throw error
        }
        process = started.process
        stdin = started.stdin
        for port in [port, tlsPort].compactMap({ $0 }) where !Host.loopbackPortIsClosed(port) {
            stop()
            throw ServerStartError(description: "port \(port) is open on the host: the test would prove nothing")
        }
    }

    func target(_ path: String, headers: [HTTPProbeTarget.Header] = [], tls: Bool = false) -> HTTPProbeTarget {
        HTTPProbeTarget(scheme: tls ? .https : .http, port: tls ? (tlsPort ?? 0) : port, path: path, headers: headers)
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

    private static func makeCertificate(in directory: URL) throws -> (String, String) {
        let cert = directory.appendingPathComponent("cert.pem").path
        let key = directory.appendingPathComponent("key.pem").path
        let openssl = Process()
        openssl.executableURL = URL(fileURLWithPath: Host.executable("openssl") ?? "/usr/bin/openssl")
        openssl.arguments = ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=x", "-days", "1",
                             "-keyout", key, "-out", cert]
        openssl.standardOutput = FileHandle.nullDevice
        openssl.standardError = FileHandle.nullDevice
        try openssl.run()
        openssl.waitUntilExit()
        guard openssl.terminationStatus == 0 else {
            throw ServerStartError(description: "openssl req failed (\(openssl.terminationStatus))")
        }
        return (cert, key)
    }
}

extension NamespacedServer {
    /// Start off the Swift concurrency pool: starting blocks on the child's output, and a
    /// blocked pool thread would delay the probes of tests running alongside.
    static func start(tls: Bool) async throws -> NamespacedServer {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(with: Result { try NamespacedServer(tls: tls) }) }
        }
    }

    func stopped() async {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                self.stop()
                continuation.resume()
            }
        }
    }

    /// Client-side TCP sockets in the server's namespace that the probe side has not closed yet
    /// (ESTABLISHED, SYN_SENT or CLOSE_WAIT with a local port that is not a server port).
    func openClientSockets() -> [String] {
        let serverPorts = Set([port, tlsPort].compactMap { $0 })
        var open: [String] = []
        for table in ["tcp", "tcp6"] {
            guard let text = try? String(contentsOfFile: "/proc/\(pid)/net/\(table)", encoding: .utf8) else { continue }
            for line in text.split(separator: "\n").dropFirst() {
                let fields = line.split(separator: " ")
                guard fields.count > 3, let portHex = fields[1].split(separator: ":").last,
                    let localPort = Int(portHex, radix: 16)
                else { continue }
                if !serverPorts.contains(localPort) && ["01", "02", "08"].contains(String(fields[3])) {
                    open.append(String(line))
                }
            }
        }
        return open
    }

    /// Descriptors of this process that refer to the server's network namespace.
    func namespaceFDsHeldByUs() -> Int {
        guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: netns),
            let fds = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")
        else { return -1 }
        return fds.filter { fd in
            (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\(fd)")) == target
        }.count
    }
}

/// A server in its own namespace plus a ProbeIO, both torn down whatever the test does.
func withNamespacedServer(
    tls: Bool = false, _ body: (NamespacedServer, ProbeIO) async throws -> Void
) async throws {
    let server = try await NamespacedServer.start(tls: tls)
    let io: ProbeIO
    do {
        io = try ProbeIO()
    } catch {
        await server.stopped()
        throw error
    }
    do {
        try await body(server, io)
    } catch {
        try? await io.shutdown()
        await server.stopped()
        throw error
    }
    try? await io.shutdown()
    await server.stopped()
}
