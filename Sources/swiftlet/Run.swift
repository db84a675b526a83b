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
            Pods start in the foreground: their events stream as they happen and Ctrl-C stops them gracefully (SIGTERM, grace period, SIGKILL) and cleans up. With -d a detached supervisor runs them; it returns once the pods are started and exits after its last pod is deleted. Nothing starts when any pod in the file is invalid, asks for a host port another pod holds, or cannot get its network.

            Each pod gets an IP from CNI plugins, as containerd gives one: the network is the first .conf/.conflist/.json file (by name) in --cni-conf-dir; with none there, swiftlet's own network: bridge swiftlet0 (the pods' gateway, hairpin on, outgoing traffic masqueraded), host-local addresses from --pod-cidr, portmap for hostPort, firewall. The IP stays the pod's across container restarts and is released on delete. --network none gives pods loopback only.

              swiftlet run -f pod.yaml
              swiftlet run -d -f pods.yaml
              swiftlet run -f pod.yaml --backoff-initial 1s
              swiftlet run -d -f web.yaml --pod-cidr 10.86.0.0/24
              swiftlet run -d -f web.yaml --cni-conf-dir /etc/swiftlet/net.d
              swiftlet run -f pod.yaml --network none
            """
    )

    @OptionGroup var global: GlobalOptions
    var root: String { global.root }
    @Option(name: [.short, .customLong("filename")], help: "The pod YAML file (one or more documents).")
    var file: String
    @Flag(name: [.short, .long], help: "Run a detached supervisor; return once the pods are started.")
    var detach = false
    @Option(name: .long, help: "Another directory to look for images in (relative image paths).")
    var images: [String] = []
    @Option(name: .long, help: "First crash-loop back-off (kubelet: 10s).")
    var backoffInitial: String = "10s"
    @Option(name: .long, help: "Longest crash-loop back-off (kubelet: 300s).")
    var backoffMax: String = "300s"
    @Option(name: .long, help: ArgumentHelp("cni: an IP per pod from CNI plugins; none: loopback only.", valueName: "cni|none"))
    var network: String = "cni"
    @Option(name: .long, help: ArgumentHelp("Where the CNI network config is looked for (containerd's default).", valueName: "dir"))
    var cniConfDir: String = NetworkOptions().confDir
    @Option(name: .long, help: ArgumentHelp("Where CNI plugins are looked for, in order; repeat for more (default: /usr/lib/cni, then /opt/cni/bin).", valueName: "dir"))
    var cniBinDir: [String] = []
    @Option(name: .long, help: ArgumentHelp("The subnet of swiftlet's default network, when --cni-conf-dir has no config.", valueName: "cidr"))
    var podCIDR: String = NetworkOptions().podCIDR
    @Option(name: .long, help: ArgumentHelp("How long one CNI plugin may run before it is killed and the pod fails.", valueName: "duration"))
    var cniTimeout: String = "30s"
    @Flag(name: .customLong("supervise"), help: .hidden)
    var supervise = false

    func validate() throws {
        guard Self.duration(backoffInitial) != nil else { throw ValidationError("--backoff-initial \(backoffInitial): expected a duration like 10s, 500ms or 2m") }
        guard Self.duration(backoffMax) != nil else { throw ValidationError("--backoff-max \(backoffMax): expected a duration like 10s, 500ms or 2m") }
        guard Self.duration(cniTimeout) != nil else { throw ValidationError("--cni-timeout \(cniTimeout): expected a duration like 30s or 500ms") }
        guard NetworkOptions.Mode(rawValue: network) != nil else { throw ValidationError("--network \(network): expected cni or none") }
    }

    func run() throws {
        guard geteuid() == 0 else { throw ValidationError("swiftlet must run as root") }
        let path = Files.absolute(file)
        var pods: [Pod]
        do { pods = try PodFile.load(path: path) } catch {
            FileHandle.standardError.write(Data("\(error)\n".utf8))
            Foundation.exit(1)
        }
        pods = pods.map(resolveImages)
        if let problem = ImageCheck.problem(in: pods, searched: images) {
            FileHandle.standardError.write(Data("error: \(problem)\n".utf8))
            Foundation.exit(1)
        }
        let fileLimit = OpenFileLimit.raiseToHard()
        if let problem = OpenFileLimit.check(pods: pods.count, containers: pods.reduce(0) { $0 + $1.spec.containers.count },
                                             limit: fileLimit) {
            throw ValidationError(problem)
        }
        if detach && !supervise { return try startDetached(pods) }
        let store = PodStore(root: root)
        let options = SupervisorOptions(store: store, backoffInitial: Self.duration(backoffInitial) ?? .seconds(10),
                                        backoffMax: Self.duration(backoffMax) ?? .seconds(300),
                                        metricsPath: ProcessInfo.processInfo.environment["SWIFTLET_METRICS"],
                                        network: networkOptions)
        let controller: PodController
        do { controller = try PodController(options: options) } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            Foundation.exit(1)
        }
        let printer = EventPrinter(quiet: supervise)
        let isSupervisor = supervise
        Task {
            await controller.setEventSink { pod, event in printer.print(pod: pod, event) }
            await controller.setOnEmpty { Foundation.exit(0) }
            do { try await controller.create(pods, sourceFile: path) } catch {
                FileHandle.standardError.write(Data("\(error)\n".utf8))
                Foundation.exit(1)
            }
            if !isSupervisor { for p in pods { Swift.print("pod/\(p.name) created") } }
        }
        // Ctrl-C or SIGTERM: stop every pod gracefully, then exit.
        for sig in [SIGINT, SIGTERM] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig)
            source.setEventHandler { Task { await controller.deleteAll(); Foundation.exit(0) } }
            source.resume()
            SignalSources.keep.append(source)
        }
        dispatchMain()
    }

    var networkOptions: NetworkOptions {
        var options = NetworkOptions(mode: NetworkOptions.Mode(rawValue: network) ?? .cni, confDir: Files.absolute(cniConfDir),
                                     podCIDR: podCIDR, pluginTimeout: Self.duration(cniTimeout) ?? .seconds(30))
        if !cniBinDir.isEmpty { options.binDirs = cniBinDir.map { Files.absolute($0) } }
        return options
    }

    /// An image path that does not exist next to the YAML file is looked up under --images.
    private func resolveImages(_ pod: Pod) -> Pod {
        var pod = pod
        for i in pod.spec.containers.indices where !FileManager.default.fileExists(atPath: pod.spec.containers[i].image.resolved) {
            let written = pod.spec.containers[i].image.written
            if let found = images.map({ Files.absolute(written, base: Files.absolute($0)) })
                .first(where: { FileManager.default.fileExists(atPath: $0) }) {
                pod.spec.containers[i].image.resolved = found
            }
        }
        return pod
    }

    /// Starts `swiftlet run --supervise` in its own session, logging to <root>/supervisor.log,
    /// and returns once every pod's containers have started (or failed to).
    private func startDetached(_ pods: [Pod]) throws {
        let store = PodStore(root: root)
        for p in pods where FileManager.default.fileExists(atPath: store.podDir(p.name)) {
            throw ValidationError("Error from server (AlreadyExists): pods \"\(p.name)\" already exists")
        }
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let log = root + "/supervisor.log"
        let args = [CommandLine.arguments[0], "run", "--supervise", "--root", root, "-f", Files.absolute(file),
                    "--backoff-initial", backoffInitial, "--backoff-max", backoffMax, "--network", network,
                    "--cni-conf-dir", cniConfDir, "--pod-cidr", podCIDR, "--cni-timeout", cniTimeout]
            + images.flatMap { ["--images", $0] } + cniBinDir.flatMap { ["--cni-bin-dir", $0] }
        // What this supervisor writes to the shared log starts here: on failure, show all of it.
        let logStart = (try? FileManager.default.attributesOfItem(atPath: log)[.size] as? UInt64) ?? 0
        let pid = try Daemon.spawn(args, log: log)
        // Containers start one after another (tens of ms each): allow for big files.
        let deadline = Date().addingTimeInterval(60 + 0.2 * Double(pods.count))
        // Pods start in file order: look only at the first one not yet settled, and move past it
        // once it is (reading every record each time costs more than the supervisor's work).
        var pending = pods.map(\.name)[...]
        while Date() < deadline {
            while let next = pending.first, let record = try? store.load(next), Self.settled(record) { pending.removeFirst() }
            if pending.isEmpty { break }
            var status: Int32 = 0
            if waitpid(pid, &status, WNOHANG) == pid {
                FileHandle.standardError.write(Data(Self.tail(of: log, from: logStart).utf8))
                Foundation.exit(1)
            }
            usleep(50_000)
        }
        for p in pods { Swift.print("pod/\(p.name) created") }
    }

    /// The log from `offset` on (what one supervisor wrote).
    private static func tail(of path: String, from offset: UInt64) -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else { return "error: the supervisor exited; see \(path)\n" }
        defer { try? handle.close() }
        try? handle.seek(toOffset: offset)
        let text = String(decoding: handle.readDataToEndOfFile(), as: UTF8.self)
        return text.isEmpty ? "error: the supervisor exited; see \(path)\n" : text
    }

    /// Every container of the pod started, or failed to.
    private static func settled(_ record: PodRecord) -> Bool {
        record.containers.allSatisfy { if case .waiting(let reason, _) = $0.state { reason != "ContainerCreating" } else { true } }
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

/// Starting a detached supervisor: its own session, stdio on a log file.
enum Daemon {
    static func spawn(_ args: [String], log: String) throws -> pid_t {
        var attr = posix_spawnattr_t()
        posix_spawnattr_init(&attr)
        defer { posix_spawnattr_destroy(&attr) }
        posix_spawnattr_setflags(&attr, 0x80)   // POSIX_SPAWN_SETSID (hidden by _GNU_SOURCE): its own session
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_APPEND, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        var pid: pid_t = 0
        let argv = args.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let exe = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path
        let r = posix_spawn(&pid, exe, &actions, &attr, argv, environ)
        guard r == 0 else { throw ValidationError("cannot start the supervisor: \(String(cString: strerror(r)))") }
        return pid
    }
}
