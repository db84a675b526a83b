import Foundation
import Supervisor

/// The init containers' part of kubectl's `printPod` (pkg/printers/internalversion/printers.go):
/// the first init container that has not completed (a sidecar counts once started) gives the
/// STATUS (`Init:1/2`, `Init:Error`, `Init:CrashLoopBackOff`, `Init:ExitCode:3`...); while the
/// pod initializes, RESTARTS sums every init container's restarts. Once it is initialized, only
/// the sidecars' restarts count, with the app containers', and READY counts started sidecars
/// that are ready (the total counts every sidecar).
struct InitColumns {
    /// The STATUS from the init containers; nil when none is still to complete.
    var reason: String?
    /// The app containers are read too (kubectl: `!initializing || Initialized`).
    var showsAppContainers: Bool
    var readySidecars = 0
    var sidecarCount = 0
    var restarts = 0
    var lastRestart: Date?

    init(record: PodRecord) {
        let inits = record.initContainers ?? []
        sidecarCount = inits.filter { $0.sidecar == true }.count
        var allRestarts = 0, sidecarRestarts = 0
        var lastAny: Date?, lastSidecar: Date?
        var initializing = false
        for (index, c) in inits.enumerated() {
            let sidecar = c.sidecar == true
            allRestarts += c.restartCount
            if case .terminated(let last)? = c.lastState {
                if lastAny.map({ $0 < last.finishedAt }) ?? true { lastAny = last.finishedAt }
                if sidecar, lastSidecar.map({ $0 < last.finishedAt }) ?? true { lastSidecar = last.finishedAt }
            }
            if sidecar { sidecarRestarts += c.restartCount }
            if case .terminated(let t) = c.state, t.exitCode == 0 { continue }
            if sidecar && c.started {
                if c.ready { readySidecars += 1 }
                continue
            }
            initializing = true
            switch c.state {
            case .terminated(let t):
                reason = "Init:" + PodStatusColumns.reason(of: t)
            case .waiting(let waiting, _) where !waiting.isEmpty && waiting != "PodInitializing":
                reason = "Init:" + waiting
            default:
                reason = "Init:\(index)/\(inits.count)"
            }
            break
        }
        let initializedCondition = record.conditions.contains { $0.type == "Initialized" && $0.status == "True" }
        showsAppContainers = !initializing || initializedCondition
        if showsAppContainers {
            restarts = sidecarRestarts
            lastRestart = lastSidecar
        } else {
            restarts = allRestarts
            lastRestart = lastAny
        }
    }
}
