import Cgroups
import Foundation
import Supervisor

/// One pod being deleted: asked of the daemon, or done here when no daemon runs.
struct PodDeletion {
    let name: String
    let uid: String
    let deadline: Date

    /// The pod as it is now (a missing one is kubectl's NotFound).
    static func start(_ name: String, store: PodStore, graceSeconds: Int?) throws(CLIError) -> PodDeletion {
        let view = try PodView.load(name, store: store)
        let podGrace = view.pod.map { Int($0.spec.terminationGracePeriodSeconds) } ?? 30
        return PodDeletion(name: name, uid: view.record.uid,
                           deadline: Date().addingTimeInterval(TimeInterval((graceSeconds ?? podGrace) + 30)))
    }

    /// Deletes every pod and waits until each one's directory is gone; errors for those that
    /// did not go in time. The daemon does it when one serves; with none, this process does it
    /// under the root lock, so a daemon starting meanwhile waits instead of taking over pods
    /// being torn down. A daemon that dies mid-way is replaced by the next one (which finishes
    /// what its record says) or by this process. Many pods at once take longer: each one's
    /// network is torn down by plugins (about 0.1 s a pod, a few at a time), so the deadlines
    /// grow by 0.1 s for each pod deleted together.
    static func run(_ deletions: [PodDeletion], store: PodStore, graceSeconds: Int?) -> [String] {
        let allowance = 0.1 * Double(deletions.count)
        var pending = deletions.map { d in
            PodDeletion(name: d.name, uid: d.uid, deadline: d.deadline.addingTimeInterval(allowance))
        }
        var failures: [String] = []
        var askedDaemon: Int32?
        while !pending.isEmpty {
            pending = pending.filter { $0.stillPending(store: store) }
            if pending.isEmpty { break }
            if let daemon = DaemonClient.connect(root: store.root),
               let hello = try? daemon.request(DaemonRequest(verb: .hello)), let pid = hello.pid {
                // Once per daemon: the reply comes when they are gone, or never if it dies.
                if askedDaemon != pid {
                    askedDaemon = pid
                    _ = try? daemon.request(DaemonRequest(verb: .delete, pods: pending.map(\.name), graceSeconds: graceSeconds))
                    continue
                }
            } else if let lock = RootLock.acquire(root: store.root, wait: false) {
                for deletion in pending {
                    guard let record = try? store.load(deletion.name) else {
                        store.remove(deletion.name)   // its creation was cut short: nothing ran
                        continue
                    }
                    guard record.uid == deletion.uid else { continue }
                    do { try PodCleanup.run(record, store: store) } catch { failures.append(error.description) }
                }
                RootLock.release(lock)
                pending = pending.filter { $0.stillPending(store: store) }
                if !pending.isEmpty { continue }
                break
            }
            // A daemon that is starting (it holds the lock and does not serve yet), or one
            // busy with the deletion: look again shortly.
            pending = pending.filter { d in
                guard Date() > d.deadline else { return true }
                failures.append("error: timed out waiting for the condition on pods/\(d.name)")
                return false
            }
            usleep(100_000)
        }
        return failures
    }

    /// The directory is there and still this pod's (pod.json goes a moment before the directory).
    private func stillPending(store: PodStore) -> Bool {
        guard FileManager.default.fileExists(atPath: store.podDir(name)) else { return false }
        if let record = try? store.load(name), record.uid != uid { return false }   // a new pod took the name
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
        let layout = try? CgroupLayout.detect()
        for container in record.containers + (record.initContainers ?? []) {
            // The running instance's cgroup, or, found by name, one a daemon killed between its
            // clone and recording it (the record names the instance before the clone).
            let id = ContainerRecord.instanceID(pod: record.name, container: container.name, instance: container.instance,
                                                uid: record.uid)
            guard let cgroup = container.cgroup.map(Cgroup.init(paths:)) ?? layout.flatMap({ Cgroup.existing(name: id, layout: $0) })
            else { continue }
            do throws(CgroupError) {
                // Kills everything in it, waits for it to empty, removes it.
                try cgroup.destroy()
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
                || (record.containers + (record.initContainers ?? [])).contains { c in entry.id.hasPrefix("\(record.name)-\(c.name)-") && entry.id.hasSuffix("-\(record.uid.prefix(8))") }
            if ours { try? keeper.ack(entry.id) }
        }
    }
}
