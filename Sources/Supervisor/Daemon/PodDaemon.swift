import ContainerRuntime
import Dispatch
import Foundation
import PodSpec
import Probes

/// How `swiftlet daemon` runs.
public struct DaemonOptions: Sendable {
    public var root: String
    /// The network of pods whose `run` names none (and of pods taken over).
    public var network: NetworkSettings
    /// Exit once the last pod is deleted (a daemon that `run` started for its pods).
    public var exitWhenIdle: Bool
    /// `host:port` to serve the metrics on over HTTP (`GET /metrics`), besides the socket.
    public var metricsAddress: String?
    public init(root: String, network: NetworkSettings, exitWhenIdle: Bool, metricsAddress: String? = nil) {
        self.root = root
        self.network = network
        self.exitWhenIdle = exitWhenIdle
        self.metricsAddress = metricsAddress
    }
}

/// The node daemon: runs as swiftlet-keeper's child (so the containers it clones with
/// CLONE_PARENT are the keeper's), takes over the pods of its root, then serves the CLI on
/// `<root>/swiftlet.sock`. SIGTERM, SIGINT and `stop` end it and leave every pod running, as
/// stopping the kubelet does; `delete` is how pods stop.
public enum PodDaemon {
    public static func socketPath(root: String) -> String { root + "/swiftlet.sock" }
    public static func settingsPath(root: String) -> String { root + "/daemon.json" }

    public static func serve(_ options: DaemonOptions) -> Never {
        let root = options.root
        let link: KeeperLink
        do {
            link = try KeeperLink(root: root) { problem in
                log("\(problem); exiting (the next daemon starts a new keeper and takes the pods over)")
                exit(1)
            }
            let hello = try KeeperConnection.connect(root: root)
            let keeperPID = try hello.hello().keeperPID
            hello.close()
            guard keeperPID == getppid() else {
                fail("the daemon must be a child of swiftlet-keeper (pid \(keeperPID)); start it with `swiftlet daemon`")
            }
        } catch {
            fail("cannot reach swiftlet-keeper on \(root): \(error)")
        }
        // A `delete` cleaning up by itself (no daemon was running) finishes first.
        guard RootLock.acquire(root: root, wait: true) != nil else { fail("cannot lock \(RootLock.path(root: root))") }
        _ = OpenFileLimit.raiseToHard()
        try? PodStore.writeAtomically(DaemonWire.line(options.network), to: settingsPath(root: root))
        let controller: PodController
        do {
            controller = try PodController(options: SupervisorOptions(store: PodStore(root: root), network: options.network.options),
                                           keeper: link)
        } catch {
            fail("\(error)")
        }
        for sig in [SIGINT, SIGTERM] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig)
            source.setEventHandler {
                log("stopping on \(sig == SIGTERM ? "SIGTERM" : "SIGINT"); every pod keeps running")
                exit(0)
            }
            source.resume()
            SignalSourcesKeep.sources.append(source)
        }
        Task {
            let started = ContinuousClock.now
            for note in await controller.adoptAll() { log(note) }
            let adopted = await controller.podNames.count
            let idle = IdleExit(socketPath: socketPath(root: root), isEmpty: { await controller.podNames.isEmpty }, log: log)
            let server: DaemonServer
            do {
                server = try DaemonServer(path: socketPath(root: root), handler: { request in
                    let reply = await handle(request, controller: controller)
                    // A daemon that `run` started for pods that never came to be has nothing to do
                    // (once that client has gone).
                    if options.exitWhenIdle, request.verb == .run, !reply.ok { idle.check("no pod to run; exiting") }
                    return reply
                }, connected: { yes in yes ? idle.begin() : idle.end() })
            } catch {
                fail("\(error)")
            }
            await controller.setEventSink { pod, event in server.events.publish(pod: pod, event) }
            if options.exitWhenIdle {
                await controller.setOnEmpty { idle.check("the last pod is gone; exiting") }
            }
            if let address = options.metricsAddress {
                guard let colon = address.lastIndex(of: ":"), let port = Int(address[address.index(after: colon)...]) else {
                    fail("--metrics-address \(address): expected host:port")
                }
                do {
                    ServerKeep.metrics = try MetricsHTTPServer(host: String(address[..<colon]), port: port) { await controller.metricsText() }
                } catch {
                    fail("--metrics-address \(address): \(error)")
                }
            }
            log("serving \(socketPath(root: root)) (pid \(getpid())); took over \(adopted) pod(s) in \(started.duration(to: .now))")
            ServerKeep.server = server
        }
        dispatchMain()
    }

    static func handle(_ request: DaemonRequest, controller: PodController) async -> DaemonReply {
        switch request.verb {
        case .hello:
            return DaemonReply(ok: true, pid: getpid(), pods: await controller.podNames)
        case .run:
            return await run(request, controller: controller)
        case .delete:
            var names = request.pods ?? []
            if request.pods == nil { names = await controller.podNames }
            await withTaskGroup(of: Void.self) { group in
                for name in names {
                    group.addTask { await controller.delete(pod: name, graceSeconds: request.graceSeconds.map(Int64.init)) }
                }
            }
            return DaemonReply(ok: true, pods: names)
        case .metrics:
            return DaemonReply(ok: true, text: await controller.metricsText())
        case .stop:
            DispatchQueue.global().asyncAfter(deadline: .now() + 0.05) {
                log("stopping on request; every pod keeps running")
                exit(0)
            }
            return DaemonReply(ok: true, pid: getpid())
        case .events:
            return .failure("events are served as a stream")
        }
    }

    private static func run(_ request: DaemonRequest, controller: PodController) async -> DaemonReply {
        guard let file = request.file else { return .failure("run: no file") }
        var pods: [Pod]
        do { pods = try PodFile.load(path: file) } catch { return .failure("\(error)") }
        for p in pods.indices {
            let images = request.images?[pods[p].name] ?? [:]
            pods[p].spec.updateEveryContainer { c in
                if let dir = images[c.name] { c.image.resolved = dir }
            }
        }
        var backoff: RestartBackOff?
        if request.backoffInitialNanoseconds != nil || request.backoffMaxNanoseconds != nil {
            backoff = RestartBackOff(initial: .nanoseconds(request.backoffInitialNanoseconds ?? 10_000_000_000),
                                     maximum: .nanoseconds(request.backoffMaxNanoseconds ?? 300_000_000_000))
        }
        do {
            let daemonNetwork = await controller.options.network
            let network = request.network.map { $0.options }
            try await controller.create(pods, sourceFile: file, backoff: backoff, network: network == daemonNetwork ? nil : network)
        } catch {
            return .failure("\(error)")
        }
        let names = pods.map(\.name)
        // Containers start one after another (tens of ms each): allow for big files.
        let deadline = ContinuousClock.now + .seconds(60) + .milliseconds(200 * names.count)
        while await !controller.settled(names), ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(20)) }
        return DaemonReply(ok: true, pods: names)
    }

    static func log(_ message: String) {
        FileHandle.standardError.write(Data("\(Timestamp.now()) swiftlet daemon: \(message)\n".utf8))
    }

    static func fail(_ message: String) -> Never {
        log("error: \(message)")
        exit(1)
    }
}

private enum SignalSourcesKeep {
    nonisolated(unsafe) static var sources: [DispatchSourceSignal] = []
}

private enum ServerKeep {
    nonisolated(unsafe) static var server: DaemonServer?
    nonisolated(unsafe) static var metrics: MetricsHTTPServer?
}
