import Foundation

/// The daemon's side of swiftlet-keeper: one connection for requests (hold, list, ack), shared by
/// the spawn thread and the actor, and one subscribed to exits, read by a thread of its own that
/// hands each exit to whoever waits for that container. The keeper may re-execute itself
/// (upgrade): both connections are then made again and the subscription renewed, which repeats
/// the exits not yet acknowledged; those already handled are recognised and dropped. A keeper
/// that does not come back within a few seconds is gone with every container's holder: the
/// daemon must not go on cloning containers whose statuses nobody would keep, so it exits
/// (`onLost`) and the next daemon starts a new keeper and sorts out what the old one held.
final class KeeperLink: @unchecked Sendable {
    let root: String
    private let lock = NSLock()
    private var control: KeeperConnection
    private var waiters: [String: CheckedContinuation<KeeperExit, Never>] = [:]
    /// Exits that arrived before anyone waited for them (an instance that ended at once, or an
    /// exit the keeper recorded while no daemon ran).
    private var arrived: [String: KeeperExit] = [:]
    /// Exits already handed over: a renewed subscription repeats those not yet acknowledged.
    private var delivered: Set<String> = []
    private let onLost: @Sendable (String) -> Void

    init(root: String, onLost: @escaping @Sendable (String) -> Void) throws {
        self.root = root
        self.onLost = onLost
        control = try Self.connect(root: root)
        let events = try Self.subscribe(root: root)
        let thread = Thread { [weak self] in self?.readEvents(events) }
        thread.name = "swiftlet-keeper-events"
        thread.start()
    }

    private static func connect(root: String) throws(KeeperError) -> KeeperConnection {
        let c = try KeeperConnection.connect(root: root)
        _ = try c.hello()
        return c
    }

    private static func subscribe(root: String) throws(KeeperError) -> KeeperConnection {
        let c = try connect(root: root)
        try c.subscribe()
        return c
    }

    // MARK: Requests

    /// Hands a process the daemon just cloned (CLONE_PARENT: the keeper's child) to the keeper,
    /// with the read ends of its output pipes for the keeper to write into its log.
    func hold(id: String, pid: Int32, logPath: String?, stdout: Int32?, stderr: Int32?) throws(KeeperError) {
        try request { c throws(KeeperError) in try c.hold(id: id, pid: pid, logPath: logPath, stdout: stdout, stderr: stderr) }
    }

    /// What the keeper holds: running processes and exits not yet acknowledged.
    func list() throws(KeeperError) -> [KeeperEntry] {
        try request { c throws(KeeperError) in try c.list() }
    }

    /// The exit (or the process) is dealt with: the keeper forgets it and removes its record.
    /// Once the keeper has forgotten it, no renewed subscription repeats it either.
    func ack(_ id: String) {
        if (try? request { c throws(KeeperError) in try c.ack(id) }) != nil {
            lock.withLock { _ = delivered.remove(id) }
        }
    }

    func stats() -> (running: Int, exited: Int, openFDs: Int)? {
        try? request { c throws(KeeperError) in try c.stats() }
    }

    /// One request, made again once on a new connection when the old one broke (an upgrade).
    private func request<T>(_ body: (KeeperConnection) throws(KeeperError) -> T) throws(KeeperError) -> T {
        lock.lock()
        defer { lock.unlock() }
        do {
            return try body(control)
        } catch {
            guard let fresh = try? Self.reconnect(root: root) else { throw error }
            control.close()
            control = fresh
            return try body(control)
        }
    }

    private static func reconnect(root: String, for window: Duration = .seconds(5)) throws(KeeperError) -> KeeperConnection {
        let deadline = ContinuousClock.now + window
        while true {
            do { return try connect(root: root) } catch {
                if ContinuousClock.now > deadline { throw error }
                usleep(20_000)
            }
        }
    }

    // MARK: Exits

    /// Waits for the keeper to report `id`'s exit.
    func exit(of id: String) async -> KeeperExit {
        await withCheckedContinuation { (c: CheckedContinuation<KeeperExit, Never>) in
            lock.lock()
            if let exit = arrived.removeValue(forKey: id) {
                lock.unlock()
                c.resume(returning: exit)
            } else {
                waiters[id] = c
                lock.unlock()
            }
        }
    }

    /// An exit already reported for `id`, taken if there is one.
    func takeExit(of id: String) -> KeeperExit? {
        lock.withLock { arrived.removeValue(forKey: id) }
    }

    /// Ids whose exits arrived and nobody claimed (their containers belong to no pod).
    func unclaimedExits() -> [KeeperExit] {
        lock.withLock { Array(arrived.values) }
    }

    private func readEvents(_ first: KeeperConnection) {
        var events = first
        while true {
            do {
                guard case .exit(let exit)? = try events.nextEvent(timeout: nil) else { continue }
                deliver(exit)
            } catch {
                events.close()
                guard let fresh = try? Self.reconnect(root: root), (try? fresh.subscribe()) != nil else {
                    onLost("swiftlet-keeper is gone (\(error)): the containers have no holder")
                    return
                }
                events = fresh
            }
        }
    }

    private func deliver(_ exit: KeeperExit) {
        lock.lock()
        guard delivered.insert(exit.id).inserted else {
            lock.unlock()
            return
        }
        if let waiter = waiters.removeValue(forKey: exit.id) {
            lock.unlock()
            waiter.resume(returning: exit)
        } else {
            arrived[exit.id] = exit
            lock.unlock()
        }
    }
}
