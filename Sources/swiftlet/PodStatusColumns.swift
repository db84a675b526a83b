import Foundation
import Probes
import Supervisor

/// The READY, STATUS and RESTARTS cells of `kubectl get pods` (kubectl's `printPod`).
struct PodStatusColumns: Equatable {
    var ready: String
    var status: String
    var restarts: String

    /// - Parameters:
    ///   - deleting: a deletion was asked for or is under way.
    ///   - supervisorLost: the record's supervisor is gone, as kubectl's NodeLost case.
    init(record: PodRecord, deleting: Bool, supervisorLost: Bool, now: WallTime) {
        var reason = record.reason.flatMap { $0.isEmpty ? nil : $0 } ?? record.phase
        // Init containers first (InitColumns.swift): while they run, they decide the columns.
        let initColumns = InitColumns(record: record)
        var readyCount = initColumns.readySidecars
        var restartCount = initColumns.restarts
        var lastRestart = initColumns.lastRestart
        var hasRunning = false
        if let initReason = initColumns.reason { reason = initReason }
        // Backwards, as kubectl does, so the first container's reason is the one that shows.
        for container in record.containers.reversed() where initColumns.showsAppContainers {
            restartCount += container.restartCount
            if case .terminated(let last)? = container.lastState, lastRestart.map({ $0 < last.finishedAt }) ?? true {
                lastRestart = last.finishedAt
            }
            switch container.state {
            case .waiting(let waitingReason, _) where !waitingReason.isEmpty:
                reason = waitingReason
            case .terminated(let terminated):
                reason = Self.reason(of: terminated)
            case .running where container.ready:
                hasRunning = true
                readyCount += 1
            default:
                break
            }
        }
        // A container that completed while another still runs does not make the pod Completed.
        if reason == "Completed" && hasRunning {
            let podReady = record.conditions.contains { $0.type == "Ready" && $0.status == "True" }
            reason = podReady ? "Running" : "NotReady"
        }
        if supervisorLost {
            reason = "Unknown"
        } else if deleting && record.phase != "Succeeded" && record.phase != "Failed" {
            reason = "Terminating"
        }

        ready = "\(readyCount)/\(record.containers.count + initColumns.sidecarCount)"
        status = reason
        restarts = Self.restarts(restartCount, lastRestart: lastRestart, now: now)
    }

    /// A terminated container's reason; kubectl makes one up when the runtime gave none.
    static func reason(of terminated: ContainerRecord.Terminated) -> String {
        if !terminated.reason.isEmpty { return terminated.reason }
        if let signal = terminated.signal, signal != 0 { return "Signal:\(signal)" }
        return "ExitCode:\(terminated.exitCode)"
    }

    /// `3`, or `3 (42s ago)` with the time of the latest restart (kubectl 1.27 and later).
    static func restarts(_ count: Int, lastRestart: Date?, now: WallTime) -> String {
        guard count != 0, let lastRestart else { return String(count) }
        return "\(count) (\(TimeFormat.since(lastRestart, now: now)) ago)"
    }
}
