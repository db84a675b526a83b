import Dispatch
import Foundation

/// Serves `<root>/swiftlet.sock`: a thread accepts, a thread per connection reads its requests and
/// waits for the handler's reply. Only root (or the daemon's own user) may talk to it: the peer's
/// credentials are checked on every connection, besides the socket's 0600 mode in a 0700 root.
final class DaemonServer: @unchecked Sendable {
    typealias Handler = @Sendable (DaemonRequest) async -> DaemonReply
    private let listener: Int32
    private let handler: Handler
    /// Told when a client connects (true) and when it hangs up (false): a daemon with a client is
    /// busy, whether it is between requests or watching events.
    private let connected: @Sendable (Bool) -> Void
    /// Where `events` requests are served; the daemon publishes into it.
    let events = EventHub()

    init(path: String, handler: @escaping Handler, connected: @escaping @Sendable (Bool) -> Void = { _ in }) throws {
        listener = try UnixSocket.listen(at: path)
        self.handler = handler
        self.connected = connected
        let thread = Thread { [self] in acceptLoop() }
        thread.name = "swiftlet-daemon-accept"
        thread.start()
    }

    private func acceptLoop() {
        while true {
            let fd = accept(listener, nil, nil)
            if fd < 0 { continue }
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            guard let uid = UnixSocket.peerUID(fd), uid == 0 || uid == geteuid() else {
                _ = DaemonWire.write(fd, DaemonWire.line(DaemonReply.failure("only root may talk to the swiftlet daemon")))
                close(fd)
                continue
            }
            let thread = Thread { [self] in serve(fd) }
            thread.name = "swiftlet-daemon-conn"
            thread.start()
        }
    }

    private func serve(_ fd: Int32) {
        connected(true)
        defer {
            close(fd)
            connected(false)
        }
        let reader = LineReader(fd: fd)
        while let line = reader.next() {
            guard let request = try? DaemonWire.decoder.decode(DaemonRequest.self, from: line) else {
                _ = DaemonWire.write(fd, DaemonWire.line(DaemonReply.failure("not a request: \(String(decoding: line, as: UTF8.self))")))
                return
            }
            if request.verb == .events {
                // A stream: an ok, then the events as they come, until the client hangs up.
                guard DaemonWire.write(fd, DaemonWire.line(DaemonReply(ok: true, pid: getpid()))) else { return }
                events.add(fd, pods: request.pods)
                while reader.next() != nil {}
                events.remove(fd)
                return
            }
            let reply = Self.wait { await self.handler(request) }
            guard DaemonWire.write(fd, DaemonWire.line(reply)) else { return }
        }
    }

    /// Runs async work from this plain thread and waits for it.
    private static func wait<T: Sendable>(_ body: @escaping @Sendable () async -> T) -> T {
        let done = DispatchSemaphore(value: 0)
        let box = ResultBox<T>()
        Task {
            box.value = await body()
            done.signal()
        }
        done.wait()
        return box.value!
    }
}

private final class ResultBox<T>: @unchecked Sendable {
    var value: T?
}

/// Event streams to clients (`run` in the foreground, `get events -w`): written without
/// blocking from the actor's thread; a client that does not keep up is dropped.
final class EventHub: @unchecked Sendable {
    private let lock = NSLock()
    private var streams: [Int32: Set<String>?] = [:]

    func add(_ fd: Int32, pods: [String]?) {
        // updateValue: assigning a nil filter (every pod) through the subscript would remove the key.
        lock.withLock { _ = streams.updateValue(pods.map(Set.init), forKey: fd) }
    }

    func remove(_ fd: Int32) {
        _ = lock.withLock { streams.removeValue(forKey: fd) }
    }

    func publish(pod: String, _ event: StoredEvent) {
        let line = DaemonWire.line(DaemonReply(ok: true, pod: pod, event: event))
        lock.lock()
        defer { lock.unlock() }
        for (fd, filter) in streams where filter == nil || filter!.contains(pod) {
            let sent = line.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT)) }
            if sent != line.count {
                // Too slow or gone: hang up on it; its connection thread ends at EOF.
                shutdown(fd, Int32(SHUT_RDWR))
                streams[fd] = nil
            }
        }
    }
}
