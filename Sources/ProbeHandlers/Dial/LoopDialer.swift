import CShims
import Glibc
import NIOCore

/// Dials on the event loop's own thread (a thread SwiftNIO owns, never one of the Swift
/// concurrency pool): join the pod's network namespace, create the socket and start the connect,
/// return to the supervisor's namespace, all in one synchronous call, so nothing else ever runs
/// on the thread while it is in a pod's namespace. A connect inside a pod is to the pod's own
/// loopback almost always, and a loopback connect completes (or is refused) at once: the probe
/// then runs start to end on this one thread, without waking any other. A connect still in
/// progress is finished by a dial thread; a host name (which needs a blocking lookup) is dialled
/// there from the start.
final class LoopDialer: Sendable {
    let loop: any EventLoop
    private let factory: NetnsSocketFactory
    /// The supervisor's own network namespace (the main thread's), to return to.
    private let homeNetns: CInt

    init(loop: any EventLoop, factory: NetnsSocketFactory) throws(ProbeIOSetupError) {
        let fd = sl_open_ns_path("/proc/self/ns/net")
        guard fd >= 0 else { throw ProbeIOSetupError("open /proc/self/ns/net: \(errnoText(-fd))") }
        self.loop = loop
        self.factory = factory
        homeNetns = fd
    }

    deinit { close(homeNetns) }

    /// A connected socket made inside `netns`; the future's taker owns the fd.
    func dial(host: String, port: Int, netns: String, deadline: NIODeadline) -> EventLoopFuture<CInt> {
        guard loop.inEventLoop else {
            return loop.flatSubmit { self.dial(host: host, port: port, netns: netns, deadline: deadline) }
        }
        guard let address = DialAddress.numeric(host, port: port) else {
            return factory.connect(host: host, port: port, netns: netns, deadline: deadline, on: loop)
        }
        let display = joinHostPort(host, port)
        do {
            let handle = try factory.namespace(netns)
            switch try start(address, display: display, in: handle) {
            case .connected(let fd):
                return loop.makeSucceededFuture(fd)
            case .inProgress(let fd):
                // A loopback handshake is over before connect(2) returns, which still says
                // EINPROGRESS: look once without waiting before handing the fd to a dial thread.
                if Self.isSettled(fd) { return loop.makeSucceededFuture(try ProbeSocket.finish(fd, display: display)) }
                return factory.finishConnect(fd, host: host, port: port, netns: handle, deadline: deadline, on: loop)
            }
        } catch {
            return loop.makeFailedFuture(error)
        }
    }

    /// Whether the connect on `fd` has finished (either way), without waiting.
    private static func isSettled(_ fd: CInt) -> Bool {
        var entry = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
        return poll(&entry, 1, 0) == 1
    }

    private func start(_ address: DialAddress, display: String, in netns: NetnsHandle) throws -> ProbeSocket.Start {
        let entered = sl_setns(netns.fd, cloneNewNet)
        guard entered == 0 else { throw NetnsError(path: netns.path, reason: "setns: \(errnoText(-entered))") }
        defer {
            // Cannot fail for a namespace we came from; if it ever did, the next dial's setns
            // still puts its socket where it belongs.
            _ = sl_setns(homeNetns, cloneNewNet)
        }
        return try ProbeSocket.start(address, display: display)
    }
}
