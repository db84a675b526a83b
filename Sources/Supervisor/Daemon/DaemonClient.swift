import Foundation

/// The `swiftlet` command's side of `<root>/swiftlet.sock`.
public final class DaemonClient {
    private let fd: Int32
    private let reader: LineReader

    private init(fd: Int32) {
        self.fd = fd
        reader = LineReader(fd: fd)
    }

    deinit { close(fd) }

    /// nil when no daemon serves the root.
    public static func connect(root: String) -> DaemonClient? {
        guard let fd = try? UnixSocket.connect(to: PodDaemon.socketPath(root: root)) else { return nil }
        return DaemonClient(fd: fd)
    }

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// Sends one request and waits for its reply.
    public func request(_ request: DaemonRequest) throws(Failure) -> DaemonReply {
        guard DaemonWire.write(fd, DaemonWire.line(request)) else { throw Failure(description: "the swiftlet daemon hung up") }
        return try reply()
    }

    private func reply() throws(Failure) -> DaemonReply {
        guard let line = reader.next() else { throw Failure(description: "the swiftlet daemon hung up") }
        guard let reply = try? DaemonWire.decoder.decode(DaemonReply.self, from: line) else {
            throw Failure(description: "the swiftlet daemon answered something else: \(String(decoding: line, as: UTF8.self))")
        }
        return reply
    }

    /// Streams the events of `pods` (all when nil) to `onEvent` until the daemon goes away.
    /// Returns once the stream is set up; the events come on a thread of their own.
    public func streamEvents(pods: [String]?, onEvent: @escaping @Sendable (String, StoredEvent) -> Void,
                             onEnd: @escaping @Sendable () -> Void) throws(Failure) {
        let first = try request(DaemonRequest(verb: .events, pods: pods))
        guard first.ok else { throw Failure(description: first.error ?? "events refused") }
        let stream = StreamBox(client: self)
        let thread = Thread {
            while let reply = try? stream.client.reply() {
                if let pod = reply.pod, let event = reply.event { onEvent(pod, event) }
            }
            onEnd()
        }
        thread.name = "swiftlet-events"
        thread.start()
    }
}

private final class StreamBox: @unchecked Sendable {
    let client: DaemonClient
    init(client: DaemonClient) { self.client = client }
}
