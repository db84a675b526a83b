import Foundation

/// The files a keeper keeps under its state root (see `Sources/swiftlet-keeper/keeper.h`).
public struct KeeperPaths: Sendable {
    public let root: String

    public init(root: String) {
        var root = root
        while root.count > 1 && root.hasSuffix("/") { root.removeLast() }
        self.root = root
    }

    public var socket: String { root + "/keeper.sock" }
    public var pidFile: String { root + "/keeper.pid" }
    public var lockFile: String { root + "/keeper.lock" }
    public var log: String { root + "/keeper.log" }
    public var exitsDir: String { root + "/exits" }
    public var daemonPIDFile: String { root + "/daemon.pid" }
    /// `<raw wait status> <finished-at unix ns> <pid>\n`, kept until the exit is acked.
    public func exitRecord(_ id: String) -> String { exitsDir + "/" + id }
}

/// A held process's exit, as the keeper reaped it: the raw wait status (so `exit(137)`,
/// `137 << 8`, is told from SIGKILL, `9`; see `Keeper.decode`).
public struct KeeperExit: Sendable, Equatable {
    public var id: String
    public var pid: Int32
    public var waitStatus: Int32
    public var finishedAt: Date

    public init(id: String, pid: Int32, waitStatus: Int32, finishedAt: Date) {
        self.id = id
        self.pid = pid
        self.waitStatus = waitStatus
        self.finishedAt = finishedAt
    }
}

public enum KeeperEvent: Sendable, Equatable {
    /// A held process exited (sent to the subscriber until the exit is acked).
    case exit(KeeperExit)
    /// The daemon child the connection started was reaped.
    case daemonExit(pid: Int32, waitStatus: Int32)
}

/// One process the keeper holds: running (`exit == nil`) or exited and not acked yet.
public struct KeeperEntry: Sendable, Equatable {
    public var id: String
    public var pid: Int32
    public var exit: KeeperExit?

    public init(id: String, pid: Int32, exit: KeeperExit?) {
        self.id = id
        self.pid = pid
        self.exit = exit
    }
}

/// What went wrong, as a sentence: the keeper's own `error` replies pass through unchanged.
public struct KeeperError: Error, CustomStringConvertible, Sendable {
    public let description: String

    public init(_ description: String) { self.description = description }
}
