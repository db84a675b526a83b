import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One connection. Request/response calls are serialized by an internal lock, so the spawn thread and others may share one.
///
/// A reply is awaited for at most 30 s; after that the connection is closed (its replies could
/// no longer be matched to requests). Events that arrive while a reply is awaited (a
/// `daemon-exit` on the connection that started the daemon) are kept and returned first by
/// `nextEvent`. `nextEvent` holds the lock while it waits, so a connection used for events
/// should not also serve requests from another thread; after `subscribe` only events come.
public final class KeeperConnection: @unchecked Sendable {
    /// Readable when an event arrives (for an epoll loop); valid until `close`.
    public let fd: Int32
    private let paths: KeeperPaths
    private let lock = NSLock()
    private var closed = false
    private var pending: [KeeperEvent] = []
    private static let replyTimeoutMS: Int32 = 30_000

    private init(fd: Int32, paths: KeeperPaths) {
        self.fd = fd
        self.paths = paths
    }

    deinit { if !closed { _ = Glibc.close(fd) } }

    public static func connect(root: String) throws(KeeperError) -> KeeperConnection {
        let paths = KeeperPaths(root: root)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        let path = Array(paths.socket.utf8)
        guard path.count < capacity else {
            throw KeeperError("\(paths.socket) is longer than \(capacity - 1) bytes, the limit of a unix socket path")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: path) }
        let fd = socket(AF_UNIX, Int32(SOCK_SEQPACKET.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw KeeperError("cannot make a socket: \(KeeperWire.errnoText())") }
        var r: Int32
        repeat {
            r = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
            }
        } while r < 0 && errno == EINTR
        guard r == 0 else {
            let code = errno
            _ = Glibc.close(fd)
            if code == ENOENT || code == ECONNREFUSED { throw KeeperError("no keeper listens on \(paths.socket)") }
            throw KeeperError("cannot connect to \(paths.socket): \(KeeperWire.errnoText(code))")
        }
        return KeeperConnection(fd: fd, paths: paths)
    }

    public func hello() throws(KeeperError) -> (version: Int, keeperPID: Int32, daemonPID: Int32) {
        let reply = try request(["hello", "1"], expecting: "hello", fields: 4)
        guard let version = Int(reply[1]), let keeper = Int32(reply[2]), let daemon = Int32(reply[3]) else {
            throw unexpected(reply, to: "hello")
        }
        return (version, keeper, daemon)
    }

    /// Starts the daemon as the keeper's child: `arguments[0]` is its executable's absolute
    /// path, the rest its arguments. Returns its pid.
    public func startDaemon(arguments: [String], stdin: Int32, stdout: Int32, stderr: Int32) throws(KeeperError) -> Int32 {
        guard !arguments.isEmpty else { throw KeeperError("starting the daemon needs its executable's path") }
        let reply = try request(["daemon"] + arguments, fds: [stdin, stdout, stderr], expecting: "daemon", fields: 2)
        guard let pid = Int32(reply[1]) else { throw unexpected(reply, to: "daemon") }
        return pid
    }

    /// Hands a process (a child of the keeper: cloned with CLONE_PARENT) to the keeper. With
    /// `stdout` and `stderr` (read ends of its pipes) the keeper writes its CRI log at
    /// `logPath`; without them (a pod sandbox) there is no log.
    public func hold(id: String, pid: Int32, logPath: String?, stdout: Int32?, stderr: Int32?) throws(KeeperError) {
        var fds: [Int32] = []
        switch (stdout, stderr) {
        case let (out?, err?): fds = [out, err]
        case (nil, nil): break
        default: throw KeeperError("holding \(id) needs both its stdout and stderr pipes, or neither")
        }
        _ = try request(["hold", id, String(pid), logPath ?? ""], fds: fds, expecting: "held", fields: 2)
    }

    /// Every entry the keeper holds. An exited entry's `finishedAt` comes from its exit
    /// record (the keeper writes it before it reports the exit).
    public func list() throws(KeeperError) -> [KeeperEntry] {
        try locked { () throws(KeeperError) -> [KeeperEntry] in
            try send(["list"], fds: [])
            var entries: [KeeperEntry] = []
            while true {
                let reply = try awaitReply(to: "list")
                if reply == ["end"] { return entries }
                guard reply[0] == "list", (reply.count - 1) % 4 == 0 else { throw unexpected(reply, to: "list") }
                for i in stride(from: 1, to: reply.count, by: 4) {
                    guard let pid = Int32(reply[i + 1]) else { throw unexpected(reply, to: "list") }
                    var exit: KeeperExit?
                    if reply[i + 2] == "exited" {
                        guard let status = Int32(reply[i + 3]) else { throw unexpected(reply, to: "list") }
                        exit = KeeperExit(id: reply[i], pid: pid, waitStatus: status, finishedAt: finishedAt(reply[i]))
                    }
                    entries.append(KeeperEntry(id: reply[i], pid: pid, exit: exit))
                }
            }
        }
    }

    /// Forgets an entry: its exit record goes; a running process is no longer held (its pipes
    /// close). Acking an unknown id succeeds.
    public func ack(_ id: String) throws(KeeperError) {
        _ = try request(["ack", id], expecting: "acked", fields: 2)
    }

    public func stats() throws(KeeperError) -> (running: Int, exited: Int, openFDs: Int) {
        let reply = try request(["stats"], expecting: "stats", fields: 4)
        guard let running = Int(reply[1]), let exited = Int(reply[2]), let fds = Int(reply[3]) else {
            throw unexpected(reply, to: "stats")
        }
        return (running, exited, fds)
    }

    /// The keeper re-execs `executable` in place (same pid); this connection then closes, as
    /// every client connection does: reconnect.
    public func upgrade(executable: String) throws(KeeperError) {
        _ = try request(["upgrade", executable], expecting: "upgrading", fields: 1)
    }

    /// From now on this connection receives every exited, unacked entry's `exit`, then every
    /// later one (use `nextEvent` only). A new subscriber replaces the previous one, whose
    /// connection the keeper closes.
    public func subscribe() throws(KeeperError) {
        _ = try request(["subscribe"], expecting: "subscribed", fields: 1)
    }

    /// The next event, or nil when none came within `timeout` (nil: wait for ever).
    public func nextEvent(timeout: Duration?) throws(KeeperError) -> KeeperEvent? {
        try locked { () throws(KeeperError) -> KeeperEvent? in
            if !pending.isEmpty { return pending.removeFirst() }
            guard !closed else { throw KeeperError("the connection to the keeper is closed") }
            let deadline = timeout.map { ContinuousClock.now + $0 }
            while true {
                let wait = deadline.map { Self.milliseconds(until: $0) } ?? -1
                guard let message = try KeeperWire.receive(fd, timeoutMS: wait) else { return nil }
                guard let event = try Self.event(message) else { throw unexpected(message, to: "subscribe") }
                return event
            }
        }
    }

    public func close() {
        lock.withLock {
            guard !closed else { return }
            closed = true
            _ = Glibc.close(fd)
        }
    }

    // MARK: Requests

    /// NSLock.withLock rethrows untyped errors; this keeps KeeperError.
    private func locked<R>(_ body: () throws(KeeperError) -> R) throws(KeeperError) -> R {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }

    private func request(_ fields: [String], fds: [Int32] = [], expecting verb: String, fields count: Int) throws(KeeperError) -> [String] {
        try locked { () throws(KeeperError) -> [String] in
            try send(fields, fds: fds)
            let reply = try awaitReply(to: fields[0])
            guard reply[0] == verb, reply.count == count else { throw unexpected(reply, to: fields[0]) }
            return reply
        }
    }

    private func send(_ fields: [String], fds: [Int32]) throws(KeeperError) {
        guard !closed else { throw KeeperError("the connection to the keeper is closed") }
        try KeeperWire.send(fd, fields, fds: fds)
    }

    /// The next reply; events that come first are kept for `nextEvent`. `error` replies throw
    /// the keeper's sentence.
    private func awaitReply(to verb: String) throws(KeeperError) -> [String] {
        let deadline = ContinuousClock.now + .milliseconds(Int(Self.replyTimeoutMS))
        while true {
            guard let reply = try KeeperWire.receive(fd, timeoutMS: Self.milliseconds(until: deadline)) else {
                closed = true
                _ = Glibc.close(fd)
                throw KeeperError("the keeper did not answer \(verb) within \(Self.replyTimeoutMS / 1000) s; the connection is closed")
            }
            if let event = try Self.event(reply) {
                pending.append(event)
                continue
            }
            if reply[0] == "error" { throw KeeperError(reply.count > 1 ? reply[1] : "the keeper refused \(verb)") }
            return reply
        }
    }

    private func unexpected(_ message: [String], to verb: String) -> KeeperError {
        KeeperError("unexpected answer to \(verb) from the keeper: \(message.joined(separator: " ").prefix(200))")
    }

    private static func event(_ m: [String]) throws(KeeperError) -> KeeperEvent? {
        switch m[0] {
        case "exit":
            guard m.count == 5, let pid = Int32(m[2]), let status = Int32(m[3]), let ns = Int64(m[4]) else { break }
            return .exit(KeeperExit(id: m[1], pid: pid, waitStatus: status, finishedAt: date(ns)))
        case "daemon-exit":
            guard m.count == 3, let pid = Int32(m[1]), let status = Int32(m[2]) else { break }
            return .daemonExit(pid: pid, waitStatus: status)
        default:
            return nil
        }
        throw KeeperError("the keeper sent a malformed \(m[0]) event: \(m.joined(separator: " ").prefix(200))")
    }

    private static func date(_ ns: Int64) -> Date {
        Date(timeIntervalSince1970: TimeInterval(ns / 1_000_000_000) + TimeInterval(ns % 1_000_000_000) / 1e9)
    }

    /// The finish time in an exit record; the Unix epoch if the record cannot be read.
    private func finishedAt(_ id: String) -> Date {
        guard let text = try? String(contentsOfFile: paths.exitRecord(id), encoding: .utf8) else { return Date(timeIntervalSince1970: 0) }
        let parts = text.split(separator: " ")
        guard parts.count >= 2, let ns = Int64(parts[1]) else { return Date(timeIntervalSince1970: 0) }
        return Self.date(ns)
    }

    private static func milliseconds(until deadline: ContinuousClock.Instant) -> Int32 {
        let left = deadline - ContinuousClock.now
        guard left > .zero else { return 0 }
        let (seconds, attoseconds) = left.components
        return Int32(clamping: seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000)
    }
}
