import Foundation
import PodSpec
import Supervisor

/// One pod as the reading commands show it: the record its supervisor wrote, corrected where the
/// record can no longer be true, with the manifest decoded back into the typed pod for the spec.
struct PodView {
    /// The record with the corrections applied.
    var record: PodRecord
    /// The decoded manifest; nil if it no longer parses (the spec then comes from the record).
    var pod: Pod?
    /// The supervisor recorded as the owner is gone: nothing keeps the record up to date.
    var supervisorLost: Bool
    var deletion: Deletion?
    /// The machine's name, shown where kubectl shows the node.
    var node: String

    /// A deletion asked for (delete-request file) or under way (recorded by the supervisor).
    struct Deletion: Equatable {
        var requestedAt: Date
        var graceSeconds: Int
        /// Kubernetes' deletionTimestamp: when the grace period runs out.
        var deadline: Date { requestedAt.addingTimeInterval(TimeInterval(graceSeconds)) }
    }

    static let supervisorLostReason = "SupervisorLost"

    init(record: PodRecord, supervisorAlive: Bool, node: String) {
        self.record = record
        self.pod = try? PodFile.parse(record.manifest, file: record.sourceFile).first { $0.name == record.name }
        self.node = node
        supervisorLost = !supervisorAlive
        let podGrace = pod.map { Int($0.spec.terminationGracePeriodSeconds) } ?? 30
        if let started = record.deletionTimestamp {
            deletion = Deletion(requestedAt: started, graceSeconds: record.deletionGracePeriodSeconds ?? podGrace)
        }
        if supervisorLost { markLost() }
    }

    /// Reads a pod from the store; the supervisor's liveness is checked against /proc.
    static func load(_ name: String, store: PodStore) throws(CLIError) -> PodView {
        let record: PodRecord
        do {
            record = try store.load(name)
        } catch let error as SupervisorError {
            throw CLIError(error.description)
        } catch {
            throw CLIError.error("cannot read pod \"\(name)\": \(error)")
        }
        return PodView(record: record, store: store)
    }

    init(record: PodRecord, store: PodStore) {
        let owner = ProcessIdentity(pid: record.supervisorPID, startTime: record.supervisorStartTime)
        self.init(record: record, supervisorAlive: owner.isAlive, node: NodeName.current)
    }

    /// The node controller's answer to a lost node, for a lost supervisor: phase Unknown with a
    /// reason, and nothing ready (nobody is probing any more).
    private mutating func markLost() {
        record.phase = "Unknown"
        record.reason = Self.supervisorLostReason
        record.message = "swiftlet-keeper (pid \(record.supervisorPID)), which held the pod's containers, is not running"
        for index in record.containers.indices { record.containers[index].ready = false }
        for index in (record.initContainers ?? []).indices { record.initContainers?[index].ready = false }
        for index in record.conditions.indices where ["Ready", "ContainersReady"].contains(record.conditions[index].type) {
            record.conditions[index].status = "False"
        }
    }

    /// Every pod in the store, by name.
    static func loadAll(store: PodStore) -> [PodView] {
        store.loadAll().map { PodView(record: $0, store: store) }
    }
}

enum NodeName {
    /// The node name: this machine's hostname.
    static var current: String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
