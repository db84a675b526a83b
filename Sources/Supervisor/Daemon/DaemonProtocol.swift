import Foundation

/// What the `swiftlet` command asks of the daemon over `<root>/swiftlet.sock`: one JSON object per
/// line each way. Every request gets one reply, except `events`, which answers with a stream of
/// replies (one per event) until the client hangs up.
public struct DaemonRequest: Codable, Sendable {
    public enum Verb: String, Codable, Sendable {
        /// The daemon's pid: it serves.
        case hello
        /// Start the pods of `file`; the reply comes once every container started or failed to.
        case run
        /// Stop and remove `pods` (every pod when nil); the reply comes once they are gone.
        case delete
        /// Every event of `pods` (all when nil) from now on, as it is recorded.
        case events
        /// The Prometheus text exposition.
        case metrics
        /// The daemon exits and leaves every pod running (what SIGTERM does).
        case stop
    }

    public var verb: Verb
    public var file: String?
    /// Image directories as `run` resolved them (relative paths, `--images`): pod -> container -> dir.
    public var images: [String: [String: String]]?
    public var backoffInitialNanoseconds: Int64?
    public var backoffMaxNanoseconds: Int64?
    /// The network `run` asked for; nil: the daemon's own.
    public var network: NetworkSettings?
    public var pods: [String]?
    public var graceSeconds: Int?

    public init(verb: Verb, file: String? = nil, images: [String: [String: String]]? = nil,
                backoffInitialNanoseconds: Int64? = nil, backoffMaxNanoseconds: Int64? = nil,
                network: NetworkSettings? = nil, pods: [String]? = nil, graceSeconds: Int? = nil) {
        self.verb = verb
        self.file = file
        self.images = images
        self.backoffInitialNanoseconds = backoffInitialNanoseconds
        self.backoffMaxNanoseconds = backoffMaxNanoseconds
        self.network = network
        self.pods = pods
        self.graceSeconds = graceSeconds
    }
}

public struct DaemonReply: Codable, Sendable {
    public var ok: Bool
    public var error: String?
    public var pid: Int32?
    public var pods: [String]?
    public var text: String?
    /// `events`: one event of one pod.
    public var pod: String?
    public var event: StoredEvent?

    public init(ok: Bool, error: String? = nil, pid: Int32? = nil, pods: [String]? = nil, text: String? = nil,
                pod: String? = nil, event: StoredEvent? = nil) {
        self.ok = ok
        self.error = error
        self.pid = pid
        self.pods = pods
        self.text = text
        self.pod = pod
        self.event = event
    }

    public static func failure(_ message: String) -> DaemonReply { DaemonReply(ok: false, error: message) }
}

/// NetworkOptions as they travel and are kept in `<root>/daemon.json`: every field optional, nil
/// meaning the default.
public struct NetworkSettings: Codable, Sendable, Equatable {
    public var mode: String?
    public var confDir: String?
    public var binDirs: [String]?
    public var podCIDR: String?
    public var pluginTimeoutNanoseconds: Int64?

    public init(mode: String? = nil, confDir: String? = nil, binDirs: [String]? = nil, podCIDR: String? = nil,
                pluginTimeoutNanoseconds: Int64? = nil) {
        self.mode = mode
        self.confDir = confDir
        self.binDirs = binDirs
        self.podCIDR = podCIDR
        self.pluginTimeoutNanoseconds = pluginTimeoutNanoseconds
    }

    public var isEmpty: Bool { self == NetworkSettings() }

    /// `other`'s fields where it has them, else these.
    public func overridden(by other: NetworkSettings) -> NetworkSettings {
        NetworkSettings(mode: other.mode ?? mode, confDir: other.confDir ?? confDir, binDirs: other.binDirs ?? binDirs,
                        podCIDR: other.podCIDR ?? podCIDR, pluginTimeoutNanoseconds: other.pluginTimeoutNanoseconds ?? pluginTimeoutNanoseconds)
    }

    public var options: NetworkOptions {
        var o = NetworkOptions()
        if let mode, let m = NetworkOptions.Mode(rawValue: mode) { o.mode = m }
        if let confDir { o.confDir = confDir }
        if let binDirs, !binDirs.isEmpty { o.binDirs = binDirs }
        if let podCIDR { o.podCIDR = podCIDR }
        if let ns = pluginTimeoutNanoseconds { o.pluginTimeout = .nanoseconds(ns) }
        return o
    }
}

/// One line of JSON each way.
enum DaemonWire {
    static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.dateEncodingStrategy = .iso8601
        e.outputFormatting = [.sortedKeys]
        return e
    }()
    static let decoder: JSONDecoder = {
        let d = JSONDecoder()
        d.dateDecodingStrategy = .iso8601
        return d
    }()

    static func line<T: Encodable>(_ value: T) -> Data {
        var data = (try? encoder.encode(value)) ?? Data("{\"ok\":false,\"error\":\"cannot encode\"}".utf8)
        data.append(UInt8(ascii: "\n"))
        return data
    }

    /// Writes all of `data`; false when the peer is gone.
    static func write(_ fd: Int32, _ data: Data) -> Bool {
        data.withUnsafeBytes { bytes -> Bool in
            var offset = 0
            while offset < bytes.count {
                let n = send(fd, bytes.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL))
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { return false }
                offset += n
            }
            return true
        }
    }
}

/// Reads newline-terminated lines from a socket.
final class LineReader {
    private let fd: Int32
    private var buffer: [UInt8] = []
    init(fd: Int32) { self.fd = fd }

    /// The next line without its newline; nil at EOF or on an error.
    func next() -> Data? {
        while true {
            if let nl = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let line = Data(buffer[..<nl])
                buffer.removeFirst(nl + 1)
                return line
            }
            var chunk = [UInt8](repeating: 0, count: 65536)
            let n = read(fd, &chunk, chunk.count)
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return nil }
            buffer.append(contentsOf: chunk[0..<n])
        }
    }
}
