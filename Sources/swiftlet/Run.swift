import ArgumentParser
import ContainerRuntime
import Dispatch
import Foundation
import PodNetwork
import PodSpec
import Supervisor

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Start the pods of a YAML file and keep them healthy.",
        discussion: """
            ConfigMaps and Secrets in the file (v1 documents beside the pods, as `podman kube play` takes them) are stored in the state root first, replacing ones of the same name, and stay after the pods are gone (`swiftlet delete -f` removes them too).

            The pods go to the root's daemon (see `swiftlet daemon`), which is started if none runs; a daemon started this way exits once its last pod is deleted. In the foreground the pods' events stream as they happen and Ctrl-C stops the pods gracefully (SIGTERM, grace period, SIGKILL) and removes them. With -d the command returns once every container started (or failed to), and the pods live on in the daemon. Nothing starts when any pod in the file is invalid, asks for a host port another pod holds, or cannot get its network.

            Each pod gets an IP from CNI plugins, as containerd gives one: the network is the first .conf/.conflist/.json file (by name) in --cni-conf-dir; with none there, swiftlet's own network: bridge swiftlet0 (the pods' gateway, hairpin on, outgoing traffic masqueraded), host-local addresses from --pod-cidr, portmap for hostPort, firewall. The IP stays the pod's across container restarts and is released on delete. --network none gives pods loopback only. Network options not given are the daemon's.

              swiftlet run -f pod.yaml
              swiftlet run -d -f pods.yaml
              swiftlet run -f pod.yaml --backoff-initial 1s
              swiftlet run -d -f web.yaml --pod-cidr 10.86.0.0/24
              swiftlet run -d -f web.yaml --cni-conf-dir /etc/swiftlet/net.d
              swiftlet run -f pod.yaml --network none
            """
    )

    @OptionGroup var global: GlobalOptions
    var root: String { Files.absolute(global.root) }
    @Option(name: [.short, .customLong("filename")], help: "The pod YAML file (one or more documents).")
    var file: String
    @Flag(name: [.short, .long], help: "Return once the pods' containers started; the daemon keeps them.")
    var detach = false
    @Option(name: .long, help: "Another directory to look for images in (relative image paths).")
    var images: [String] = []
    @Option(name: .long, help: "First crash-loop back-off (kubelet: 10s).")
    var backoffInitial: String = "10s"
    @Option(name: .long, help: "Longest crash-loop back-off (kubelet: 300s).")
    var backoffMax: String = "300s"
    @OptionGroup var network: NetworkFlags

    func validate() throws {
        guard Self.duration(backoffInitial) != nil else { throw ValidationError("--backoff-initial \(backoffInitial): expected a duration like 10s, 500ms or 2m") }
        guard Self.duration(backoffMax) != nil else { throw ValidationError("--backoff-max \(backoffMax): expected a duration like 10s, 500ms or 2m") }
    }

    func run() throws {
        guard geteuid() == 0 else { throw ValidationError("swiftlet must run as root") }
        let path = Files.absolute(file)
        var pods: [Pod]
        let manifest: Manifest
        do { manifest = try PodFile.loadManifest(path: path) } catch {
            FileHandle.standardError.write(Data("\(error)\n".utf8))
            Foundation.exit(1)
        }
        pods = manifest.pods
        pods = pods.map(resolveImages)
        if let problem = ImageCheck.problem(in: pods, searched: images) {
            FileHandle.standardError.write(Data("error: \(problem)\n".utf8))
            Foundation.exit(1)
        }
        let store = PodStore(root: root)
        for p in pods where FileManager.default.fileExists(atPath: store.podDir(p.name)) {
            throw CLIError.error("Error from server (AlreadyExists): pods \"\(p.name)\" already exists")
        }
        // The file's ConfigMaps and Secrets first: its pods read them as their containers start.
        try ConfigCreation.store(manifest, root: root, replacing: true)
        if pods.isEmpty { return }
        let settings = try network.settings()
        let names = pods.map(\.name)
        let request = DaemonRequest(
            verb: .run, file: path,
            images: Dictionary(uniqueKeysWithValues: pods.map { p in
                (p.name, Dictionary(uniqueKeysWithValues: p.spec.everyContainer.map { ($0.container.name, $0.container.image.resolved) }))
            }),
            backoffInitialNanoseconds: Self.duration(backoffInitial).map(nanosecondsOf),
            backoffMaxNanoseconds: Self.duration(backoffMax).map(nanosecondsOf),
            network: settings.isEmpty ? nil : DaemonLauncher.settings(root: root, explicit: settings))
        // A daemon exits when idle only with no client connected: once connected, it stays.
        let client: DaemonClient
        do { client = try DaemonLauncher.connectOrStart(root: root, network: settings) } catch {
            throw CLIError.error("\(error)")
        }
        if !detach { try streamEvents(of: names) }
        let reply: DaemonReply
        do { reply = try client.request(request) } catch { throw CLIError.error("\(error)") }
        guard reply.ok else {
            FileHandle.standardError.write(Data("\(reply.error ?? "the daemon refused the pods")\n".utf8))
            Foundation.exit(1)
        }
        for name in names { Swift.print("pod/\(name) created") }
        fflush(nil)
        if detach { return }
        stayInForeground(names, store: store)
    }

    /// Events of the file's pods, printed as `kubectl get events -w` prints them.
    private func streamEvents(of names: [String]) throws {
        guard let events = DaemonClient.connect(root: root) else { throw CLIError.error("the swiftlet daemon went away") }
        let printer = EventPrinter(quiet: false)
        do {
            try events.streamEvents(pods: names, onEvent: { pod, event in printer.print(pod: pod, event) }, onEnd: {
                FileHandle.standardError.write(Data("swiftlet: the daemon stopped; the pods keep running (`swiftlet delete` stops them)\n".utf8))
                Foundation.exit(1)
            })
        } catch {
            throw CLIError.error("\(error)")
        }
        EventStreams.keep.append(events)
    }

    /// Until Ctrl-C (or SIGTERM), which stops and removes the pods, or until they are deleted
    /// from elsewhere.
    private func stayInForeground(_ names: [String], store: PodStore) -> Never {
        let root = self.root
        for sig in [SIGINT, SIGTERM] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig)
            source.setEventHandler {
                Thread.detachNewThread {
                    if let client = DaemonClient.connect(root: root) {
                        _ = try? client.request(DaemonRequest(verb: .delete, pods: names))
                    }
                    Foundation.exit(0)
                }
            }
            source.resume()
            SignalSources.keep.append(source)
        }
        Thread.detachNewThread {
            while names.contains(where: { FileManager.default.fileExists(atPath: store.podDir($0)) }) { usleep(500_000) }
            Foundation.exit(0)
        }
        dispatchMain()
    }

    /// An image path that does not exist next to the YAML file is looked up under --images.
    private func resolveImages(_ pod: Pod) -> Pod {
        var pod = pod
        pod.spec.updateEveryContainer { container in
            guard !FileManager.default.fileExists(atPath: container.image.resolved) else { return }
            let written = container.image.written
            if let found = images.map({ Files.absolute(written, base: Files.absolute($0)) })
                .first(where: { FileManager.default.fileExists(atPath: $0) }) {
                container.image.resolved = found
            }
        }
        return pod
    }

    /// "10s", "500ms", "2m", "1h", or plain seconds.
    static func duration(_ text: String) -> Duration? {
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)]
        for (suffix, scale) in units where text.hasSuffix(suffix) {
            guard let v = Double(text.dropLast(suffix.count)), v > 0 else { return nil }
            return .milliseconds(Int64(v * scale * 1000))
        }
        return Double(text).flatMap { $0 > 0 ? .milliseconds(Int64($0 * 1000)) : nil }
    }
}

/// Event streams must stay referenced while they are in use.
enum EventStreams {
    nonisolated(unsafe) static var keep: [DaemonClient] = []
}

/// Dispatch signal sources must stay referenced while they are in use.
enum SignalSources {
    nonisolated(unsafe) static var keep: [DispatchSourceSignal] = []
}

/// Prints events as `kubectl get events -w` does, as they are recorded.
final class EventPrinter: @unchecked Sendable {
    let quiet: Bool
    private let lock = NSLock()
    private var headerDone = false
    init(quiet: Bool) { self.quiet = quiet }

    func print(pod: String, _ e: StoredEvent) {
        guard !quiet else { return }
        lock.withLock {
            if !headerDone {
                Swift.print(pad("LAST SEEN", 10) + pad("TYPE", 9) + pad("REASON", 14) + pad("OBJECT", 24) + "MESSAGE")
                headerDone = true
            }
            Swift.print(pad("0s", 10) + pad(e.type, 9) + pad(e.reason, 14) + pad("pod/\(pod)", 24) + e.message)
            fflush(nil)   // every stream: the events must show up as they happen
        }
    }

    private func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s + " " : s + String(repeating: " ", count: n - s.count) }
}
