import Foundation

/// Starting the daemon: swiftlet-keeper first (one per root; it outlives every daemon), then the
/// daemon as the keeper's child, so the containers it clones are the keeper's children too.
public enum DaemonLauncher {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// How a started daemon's stdio is wired.
    public enum Output {
        /// The caller's own stdin, stdout and stderr (a daemon in the foreground).
        case inherit
        /// stdin on /dev/null, stdout and stderr appended to `<root>/daemon.log`.
        case logFile
    }

    public static func logPath(root: String) -> String { root + "/daemon.log" }

    /// The settings a daemon of this root last ran with, with `explicit` on top; written to
    /// `<root>/daemon.json`, which the new daemon reads.
    public static func settings(root: String, explicit: NetworkSettings) -> NetworkSettings {
        let saved = FileManager.default.contents(atPath: PodDaemon.settingsPath(root: root))
            .flatMap { try? DaemonWire.decoder.decode(NetworkSettings.self, from: $0) } ?? NetworkSettings()
        return saved.overridden(by: explicit)
    }

    /// Starts a daemon on `root`; returns the keeper's connection that started it (it reports
    /// the daemon's exit) and the daemon's pid. Refuses when a daemon already runs there.
    public static func start(root: String, network: NetworkSettings, exitWhenIdle: Bool, metricsAddress: String? = nil,
                             output: Output) throws(Failure) -> (keeper: KeeperConnection, pid: Int32) {
        if mkdir(root, 0o700) != 0 && errno != EEXIST {
            throw Failure(description: "cannot create \(root): \(String(cString: strerror(errno)))")
        }
        do {
            try PodStore.writeAtomically(DaemonWire.line(network), to: PodDaemon.settingsPath(root: root))
        } catch {
            throw Failure(description: "\(error)")
        }
        let keeper: KeeperConnection
        do {
            _ = try Keeper.ensureRunning(root: root, executable: Keeper.defaultExecutable())
            keeper = try KeeperConnection.connect(root: root)
            let hello = try keeper.hello()
            if hello.daemonPID != 0 {
                throw KeeperError("a swiftlet daemon already runs on \(root) (pid \(hello.daemonPID))")
            }
        } catch {
            throw Failure(description: "\(error)")
        }
        let exe = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path
        let args = [exe, "daemon", "--serve", "--root", root] + (exitWhenIdle ? ["--exit-when-idle"] : [])
            + (metricsAddress.map { ["--metrics-address", $0] } ?? [])
        var fds: [Int32] = [0, 1, 2]
        var opened: [Int32] = []
        if case .logFile = output {
            let null = open("/dev/null", O_RDONLY | O_CLOEXEC)
            let log = open(logPath(root: root), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
            guard null >= 0, log >= 0 else { throw Failure(description: "cannot open \(logPath(root: root))") }
            fds = [null, log, log]
            opened = [null, log]
        }
        defer { opened.forEach { close($0) } }
        do {
            let pid = try keeper.startDaemon(arguments: args, stdin: fds[0], stdout: fds[1], stderr: fds[2])
            return (keeper, pid)
        } catch {
            keeper.close()
            throw Failure(description: "\(error)")
        }
    }

    /// Waits until the daemon serves its socket; fails when it exits first (what it said is in
    /// its log) or after `timeout`.
    public static func waitUntilServing(root: String, keeper: KeeperConnection, pid: Int32,
                                        timeout: Duration = .seconds(120)) throws(Failure) -> DaemonClient {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let client = DaemonClient.connect(root: root), let hello = try? client.request(DaemonRequest(verb: .hello)),
               hello.pid == pid {
                return client
            }
            if case .daemonExit(let exited, let status)? = try? keeper.nextEvent(timeout: .milliseconds(20)), exited == pid {
                let (code, signal) = Keeper.decode(waitStatus: status)
                throw Failure(description: "the swiftlet daemon exited (\(code.map { "code \($0)" } ?? "signal \(signal ?? 0)")) before serving")
            }
        }
        throw Failure(description: "the swiftlet daemon (pid \(pid)) did not serve \(PodDaemon.socketPath(root: root)) within \(timeout)")
    }

    /// The daemon that serves `root`, started (with `network`, exiting once idle) if none does.
    /// Another command may start one at the same moment, or the one found may be exiting (it had
    /// no pod left): then this tries again, for up to a minute.
    public static func connectOrStart(root: String, network: NetworkSettings) throws(Failure) -> DaemonClient {
        let deadline = ContinuousClock.now + .seconds(60)
        var lastError = Failure(description: "no swiftlet daemon came to serve \(root)")
        while ContinuousClock.now < deadline {
            if let client = DaemonClient.connect(root: root), (try? client.request(DaemonRequest(verb: .hello)))?.ok == true {
                return client
            }
            let keeper: KeeperConnection, pid: Int32
            do {
                (keeper, pid) = try start(root: root, network: settings(root: root, explicit: network), exitWhenIdle: true,
                                          output: .logFile)
            } catch {
                // Most often "a daemon already runs": one is starting, or one is exiting.
                lastError = error
                usleep(50_000)
                continue
            }
            defer { keeper.close() }
            do {
                return try waitUntilServing(root: root, keeper: keeper, pid: pid)
            } catch {
                let log = (try? String(contentsOfFile: logPath(root: root), encoding: .utf8))?.split(separator: "\n").suffix(5)
                    .joined(separator: "\n") ?? ""
                throw Failure(description: "\(error)" + (log.isEmpty ? "" : "\n" + log))
            }
        }
        throw lastError
    }
}
