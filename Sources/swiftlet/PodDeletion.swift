import Cgroups
import Foundation
import Supervisor

/// One pod being deleted: asked of the daemon, or done here when no daemon runs.
struct PodDeletion {
    let name: String
    let uid: String
    let deadline: Date

    /// Cleans up at once when no daemon runs (`daemonRuns` false); the caller asks the daemon
    /// otherwise.
    static func start(_ name: String, store: PodStore, graceSeconds: Int?, daemonRuns: Bool) throws(CLIError) -> PodDeletion {
        let view = try PodView.load(name, store: store)
        let podGrace = view.pod.map { Int($0.spec.terminationGracePeriodSeconds) } ?? 30
        let deletion = PodDeletion(name: name, uid: view.record.uid,
                                   deadline: Date().addingTimeInterval(TimeInterval((graceSeconds ?? podGrace) + 30)))
        if !daemonRuns {
            try PodCleanup.run(view.record, store: store)
        }
        return deletion
    }

    /// Waits until every pod's directory is gone; errors for those that did not go in time. A
    /// daemon that dies meanwhile leaves the cleanup to us. Many pods at once take longer:
    /// each one's network is torn down by plugins (about 0.1 s a pod, a few at a time), so the
    /// deadlines grow by 0.1 s for each pod deleted together.
    static func waitForAll(_ deletions: [PodDeletion], store: PodStore) -> [String] {
        let allowance = 0.1 * Double(deletions.count)
        var pending = deletions.map { d in
            PodDeletion(name: d.name, uid: d.uid, deadline: d.deadline.addingTimeInterval(allowance))
        }
        var failures: [String] = []
        while !pending.isEmpty {
            pending = pending.filter { $0.stillPending(store: store, failures: &failures) }
            if !pending.isEmpty { usleep(100_000) }
        }
        return failures
    }

    private func stillPending(store: PodStore, failures: inout [String]) -> Bool {
        guard FileManager.default.fileExists(atPath: store.podDir(name)) else { return false }
        // pod.json goes a moment before the directory: no record then means "being removed".
        if let record = try? store.load(name) {
            if record.uid != uid { return false }   // gone, and a new pod took the name
            if DaemonClient.connect(root: store.root) == nil {
                do { try PodCleanup.run(record, store: store) } catch { failures.append(error.description) }
                return false
            }
        }
        if Date() > deadline {
            failures.append("error: timed out waiting for the condition on pods/\(name)")
            return false
        }
        return true
    }
}

/// Deletes a pod while no daemon runs: the containers (killed through their cgroups), the sandbox
/// that holds the pod's namespaces, its network attachment, the keeper's exit records of them,
/// and the pod's state. Processes are only ever found through the record's cgroups and pid +
/// start time pairs, never by name.
enum PodCleanup {
    static func run(_ record: PodRecord, store: PodStore) throws(CLIError) {
        var problems: [String] = []
        for container in record.containers {
            guard let paths = container.cgroup else { continue }
            do throws(CgroupError) {
                // Kills everything in it, waits for it to empty, removes it.
                try Cgroup(paths: paths).destroy()
            } catch {
                problems.append("container \(container.name): \(error)")
            }
        }
        if let pid = record.sandboxPID, let startTime = record.sandboxStartTime {
            let sandbox = ProcessIdentity(pid: pid, startTime: startTime)
            if sandbox.isAlive {
                kill(pid, SIGKILL)
                // It is not our child: wait for /proc to drop it, briefly.
                for _ in 0..<50 where sandbox.isAlive { usleep(20_000) }
            }
        }
        // The network after the containers and sandbox: DEL with the kept result, then unpin.
        // Also attachments the record does not name (the supervisor died while adding one).
        do {
            try PodNetworkCleanup.release(record, store: store)
        } catch {
            problems.append("network: \(error)")
        }
        guard problems.isEmpty else {
            throw CLIError.error("pod \"\(record.name)\": " + problems.joined(separator: "; "))
        }
        forgetAtKeeper(record, root: store.root)
        store.remove(record.name)
    }

    /// The keeper holds the pod's processes (or their exits) until told to forget them: its
    /// sandbox and every instance of its containers.
    private static func forgetAtKeeper(_ record: PodRecord, root: String) {
        guard let keeper = try? KeeperConnection.connect(root: root), (try? keeper.hello()) != nil,
              let entries = try? keeper.list() else { return }
        defer { keeper.close() }
        let sandbox = record.sandboxPID.flatMap { pid in record.sandboxStartTime.map { "sandbox-\(pid)-\($0)" } }
        for entry in entries {
            let ours = entry.id == sandbox
                || record.containers.contains { c in entry.id.hasPrefix("\(record.name)-\(c.name)-") && entry.id.hasSuffix("-\(record.uid.prefix(8))") }
            if ours { try? keeper.ack(entry.id) }
        }
    }
}
