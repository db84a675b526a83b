import ArgumentParser
import CShims
import Dispatch
import Foundation
import ContainerRuntime
import Supervisor

struct DaemonCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "daemon",
        abstract: "Run the node daemon that keeps the root's pods alive.",
        discussion: """
            The daemon runs pods (`run` hands them to it, starting one if none runs), probes them as the kubelet does, restarts containers that fail, and serves every other command on <root>/swiftlet.sock. Its pods do not depend on it: each root has one swiftlet-keeper, a small C process that is the parent of every container and pod sandbox. It keeps their logs flowing, records each exit exactly (exit code or signal, from its own wait), and holds both until a daemon takes them. So the daemon can crash, be killed, be stopped or be upgraded, and every container keeps running; a daemon that starts on a root with pods takes them over: same containers, restart counts, readiness, back-off and events.

            SIGTERM (or Ctrl-C in the foreground) stops the daemon and leaves every pod running, as stopping the kubelet does; `swiftlet delete pods --all` stops pods. The daemon's pid is in <root>/daemon.pid, the keeper's in <root>/keeper.pid. A second daemon on a root is refused. The network options are the daemon's own and are kept in <root>/daemon.json: a daemon started without them uses the last ones.

              swiftlet daemon             # in the foreground (what systemd runs)
              swiftlet daemon -d          # detached (log: <root>/daemon.log)
              kill -9 $(cat /run/swiftlet/daemon.pid)   # a crash: pods run on
              swiftlet daemon -d          # a new daemon takes them over
              swiftlet daemon -d --cni-conf-dir /etc/swiftlet/net.d --pod-cidr 10.86.0.0/16
              swiftlet daemon --upgrade-keeper   # after installing a new build
            """
    )

    @OptionGroup var global: GlobalOptions
    @Flag(name: [.short, .long], help: "Detach: return once the daemon serves requests; its output goes to <root>/daemon.log.")
    var detach = false
    @OptionGroup var network: NetworkFlags
    @Flag(name: .long, help: "Exit once the last pod is deleted (what a daemon that `run` starts does).")
    var exitWhenIdle = false
    @Option(name: .long, help: ArgumentHelp("Also serve the metrics over HTTP here (GET /metrics), for Prometheus to scrape.", valueName: "host:port"))
    var metricsAddress: String?
    @Flag(name: .long, help: "Upgrade the root's swiftlet-keeper in place: it re-executes the swiftlet-keeper next to this swiftlet (same pid, so every container stays its child), then this returns.")
    var upgradeKeeper = false
    @Flag(name: .customLong("serve"), help: .hidden)
    var serve = false

    func run() throws {
        guard geteuid() == 0 else { throw ValidationError("swiftlet must run as root") }
        let root = Files.absolute(global.root)
        if serve {
            PodDaemon.serve(DaemonOptions(root: root, network: DaemonLauncher.settings(root: root, explicit: NetworkSettings()),
                                          exitWhenIdle: exitWhenIdle, metricsAddress: metricsAddress))
        }
        if upgradeKeeper { return try Self.upgradeKeeper(root: root) }
        let settings = DaemonLauncher.settings(root: root, explicit: try network.settings())
        let started: (keeper: KeeperConnection, pid: Int32)
        do {
            started = try DaemonLauncher.start(root: root, network: settings, exitWhenIdle: exitWhenIdle,
                                               metricsAddress: metricsAddress, output: detach ? .logFile : .inherit)
        } catch {
            throw CLIError.error("\(error)")
        }
        if detach {
            do {
                _ = try DaemonLauncher.waitUntilServing(root: root, keeper: started.keeper, pid: started.pid)
            } catch {
                throw CLIError.error("\(error) (see \(DaemonLauncher.logPath(root: root)))")
            }
            print("swiftlet daemon serving \(PodDaemon.socketPath(root: root)) (pid \(started.pid))")
            return
        }
        // In the foreground: signals go on to the daemon (the keeper's child, not in our process
        // group), and we end with it.
        let pid = started.pid
        for sig in [SIGINT, SIGTERM, SIGHUP] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig)
            source.setEventHandler { kill(pid, sig == SIGHUP ? SIGTERM : sig) }
            source.resume()
            SignalSources.keep.append(source)
        }
        let keeper = SendableKeeper(started.keeper)
        Thread.detachNewThread {
            Foundation.exit(Self.waitForExit(of: pid, keeper: keeper.connection))
        }
        dispatchMain()
    }

    /// Asks the keeper to re-execute itself from the new binary and waits until it answers again.
    private static func upgradeKeeper(root: String) throws {
        let executable = Keeper.defaultExecutable()
        do {
            let before = try KeeperConnection.connect(root: root)
            let pid = try before.hello().keeperPID
            try before.upgrade(executable: executable)
            before.close()
            let deadline = ContinuousClock.now + .seconds(10)
            while ContinuousClock.now < deadline {
                if let after = try? KeeperConnection.connect(root: root), let hello = try? after.hello() {
                    after.close()
                    let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/exe")) ?? "?"
                    guard hello.keeperPID == pid else { throw CLIError.error("the keeper answering now has pid \(hello.keeperPID), not \(pid)") }
                    print("swiftlet-keeper (pid \(pid)) now runs \(exe)")
                    return
                }
                usleep(20_000)
            }
            throw CLIError.error("swiftlet-keeper (pid \(pid)) did not answer after re-executing \(executable)")
        } catch let error as KeeperError {
            throw CLIError.error("\(error)")
        }
    }

    /// The daemon's end, as the keeper reports it; if the keeper's connection goes (the keeper
    /// re-executed itself), its pidfd says when, not how.
    private static func waitForExit(of pid: Int32, keeper: KeeperConnection) -> Int32 {
        while true {
            do {
                if case .daemonExit(let exited, let status)? = try keeper.nextEvent(timeout: nil), exited == pid {
                    let (code, signal) = Keeper.decode(waitStatus: status)
                    return code ?? (128 + (signal ?? 0))
                }
            } catch {
                let fd = sl_pidfd_open(pid)
                guard fd >= 0 else { return 0 }
                var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                while poll(&p, 1, -1) < 0 && errno == EINTR {}
                return 0
            }
        }
    }
}

private final class SendableKeeper: @unchecked Sendable {
    let connection: KeeperConnection
    init(_ connection: KeeperConnection) { self.connection = connection }
}

/// The pod network options `run` and `daemon` take. Each is nil unless given: the daemon's own
/// (or, for a new daemon, the last it ran with, else the defaults) then apply.
struct NetworkFlags: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("cni: an IP per pod from CNI plugins (default); none: loopback only.", valueName: "cni|none"))
    var network: String?
    @Option(name: .long, help: ArgumentHelp("Where the CNI network config is looked for (default /etc/cni/net.d, as containerd).", valueName: "dir"))
    var cniConfDir: String?
    @Option(name: .long, help: ArgumentHelp("Where CNI plugins are looked for, in order; repeat for more (default: /usr/lib/cni, then /opt/cni/bin).", valueName: "dir"))
    var cniBinDir: [String] = []
    @Option(name: .long, help: ArgumentHelp("The subnet of swiftlet's default network, when the conf dir has no config (default 10.85.0.0/16).", valueName: "cidr"))
    var podCIDR: String?
    @Option(name: .long, help: ArgumentHelp("How long one CNI plugin may run before it is killed and the pod fails (default 30s).", valueName: "duration"))
    var cniTimeout: String?

    func validate() throws {
        if let network, NetworkOptions.Mode(rawValue: network) == nil { throw ValidationError("--network \(network): expected cni or none") }
        if let cniTimeout, Run.duration(cniTimeout) == nil { throw ValidationError("--cni-timeout \(cniTimeout): expected a duration like 30s or 500ms") }
    }

    func settings() throws -> NetworkSettings {
        try validate()
        return NetworkSettings(mode: network, confDir: cniConfDir.map { Files.absolute($0) },
                               binDirs: cniBinDir.isEmpty ? nil : cniBinDir.map { Files.absolute($0) }, podCIDR: podCIDR,
                               pluginTimeoutNanoseconds: cniTimeout.flatMap(Run.duration).map { nanosecondsOf($0) })
    }
}

func nanosecondsOf(_ d: Duration) -> Int64 {
    d.components.seconds * 1_000_000_000 + d.components.attoseconds / 1_000_000_000
}
