import Foundation
import PodSpec
import Probes
import Testing
@testable import Supervisor
@testable import swiftlet

// `get pods`, `-o json` and `describe` of pods with init containers and sidecars, as kubectl
// prints them (printers.go printPod, describe.go describeContainers).

private let t0 = Date(timeIntervalSince1970: 1_714_564_800)
private func at(_ seconds: Double) -> Date { t0.addingTimeInterval(seconds) }
private let now = WallTime(at(180))

private let manifest = """
    apiVersion: v1
    kind: Pod
    metadata:
      name: myapp-pod
    spec:
      initContainers:
      - name: init-myservice
        image: busybox
        command: ['sh', '-c', 'until [ -f /ready/myservice ]; do sleep 1; done']
      - name: init-mydb
        image: busybox
      containers:
      - name: myapp-container
        image: busybox
    """

private func c(_ name: String, _ state: ContainerRecord.ContainerState, ready: Bool = false, started: Bool? = nil,
               restarts: Int = 0, last: ContainerRecord.ContainerState? = nil, sidecar: Bool = false) -> ContainerRecord {
    var r = ContainerRecord(name: name, image: "busybox", ready: ready, started: started ?? ready, restartCount: restarts,
                            state: state, lastState: last, pid: nil, pidStartTime: nil, cgroup: nil, instance: restarts)
    r.sidecar = sidecar ? true : nil
    return r
}

private let running = ContainerRecord.ContainerState.running(startedAt: at(100))
private func waiting(_ reason: String) -> ContainerRecord.ContainerState { .waiting(reason: reason, message: nil) }
private func exited(_ code: Int32, _ reason: String, finished: Double = 120) -> ContainerRecord.ContainerState {
    .terminated(ContainerRecord.Terminated(exitCode: code, signal: nil, reason: reason, message: nil, startedAt: at(10),
                                           finishedAt: at(finished)))
}

private func pod(inits: [ContainerRecord], apps: [ContainerRecord], phase: String = "Pending",
                 initialized: Bool = false) -> PodRecord {
    var r = PodRecord(name: "myapp-pod", namespace: "default", uid: "6c0b3c1e-0000-4000-8000-000000000002",
                      creationTimestamp: t0, labels: [:], annotations: [:], manifest: manifest,
                      sourceFile: "/pods/myapp.yaml", restartPolicy: "Always", phase: phase, reason: nil, message: nil,
                      startTime: t0,
                      conditions: [.init(type: "Initialized", status: initialized ? "True" : "False", lastTransitionTime: t0),
                                   .init(type: "PodScheduled", status: "True", lastTransitionTime: t0)],
                      containers: apps, supervisorPID: getpid(), supervisorStartTime: 1, sandboxPID: nil,
                      sandboxStartTime: nil, network: nil, deletionTimestamp: nil, deletionGracePeriodSeconds: nil)
    r.initContainers = inits
    return r
}

private let app = c("myapp-container", waiting("PodInitializing"))

@Suite struct InitColumnsTests {
    struct Row: Sendable, CustomStringConvertible {
        var description: String
        var record: PodRecord
        var ready: String
        var status: String
        var restarts: String
    }

    static let rows: [Row] = [
        Row(description: "first init container running",
            record: pod(inits: [c("init-myservice", running), c("init-mydb", waiting("PodInitializing"))], apps: [app]),
            ready: "0/1", status: "Init:0/2", restarts: "0"),
        Row(description: "second init container running",
            record: pod(inits: [c("init-myservice", exited(0, "Completed")), c("init-mydb", running)], apps: [app]),
            ready: "0/1", status: "Init:1/2", restarts: "0"),
        Row(description: "init container failed under Never",
            record: pod(inits: [c("init-myservice", exited(1, "Error")), c("init-mydb", waiting("PodInitializing"))],
                        apps: [app], phase: "Failed"),
            ready: "0/1", status: "Init:Error", restarts: "0"),
        Row(description: "init container in back-off: restarts summed over init containers",
            record: pod(inits: [c("init-myservice", waiting("CrashLoopBackOff"), restarts: 3, last: exited(1, "Error", finished: 150)),
                                c("init-mydb", waiting("PodInitializing"))], apps: [app]),
            ready: "0/1", status: "Init:CrashLoopBackOff", restarts: "3 (30s ago)"),
        Row(description: "init container OOM-killed",
            record: pod(inits: [c("init-myservice", exited(137, "OOMKilled")), c("init-mydb", waiting("PodInitializing"))],
                        apps: [app]),
            ready: "0/1", status: "Init:OOMKilled", restarts: "0"),
        Row(description: "an exit without a reason",
            record: pod(inits: [c("init-myservice", exited(3, "")), c("init-mydb", waiting("PodInitializing"))], apps: [app]),
            ready: "0/1", status: "Init:ExitCode:3", restarts: "0"),
        Row(description: "initialized, app not yet started",
            record: pod(inits: [c("init-myservice", exited(0, "Completed")), c("init-mydb", exited(0, "Completed"))],
                        apps: [app], initialized: true),
            ready: "0/1", status: "PodInitializing", restarts: "0"),
        Row(description: "initialized: the regular init containers' restarts no longer count",
            record: pod(inits: [c("init-myservice", exited(0, "Completed"), restarts: 2, last: exited(1, "Error", finished: 60)),
                                c("init-mydb", exited(0, "Completed"))],
                        apps: [c("myapp-container", running, ready: true)], phase: "Running", initialized: true),
            ready: "1/1", status: "Running", restarts: "0"),
        Row(description: "sidecar and app ready",
            record: pod(inits: [c("logshipper", running, ready: true, restarts: 1, last: exited(137, "Error", finished: 90), sidecar: true)],
                        apps: [c("myapp-container", running, ready: true, restarts: 1, last: exited(1, "Error", finished: 60))],
                        phase: "Running", initialized: true),
            ready: "2/2", status: "Running", restarts: "2 (90s ago)"),
        Row(description: "sidecar started, not ready",
            record: pod(inits: [c("logshipper", running, ready: false, started: true, sidecar: true)],
                        apps: [c("myapp-container", running, ready: true)], phase: "Running", initialized: true),
            ready: "1/2", status: "Running", restarts: "0"),
        Row(description: "sidecar waiting for its startup probe",
            record: pod(inits: [c("logshipper", running, ready: false, started: false, sidecar: true)], apps: [app]),
            ready: "0/2", status: "Init:0/1", restarts: "0"),
        Row(description: "sidecar crash-looping after initialization",
            record: pod(inits: [c("logshipper", waiting("CrashLoopBackOff"), restarts: 4, last: exited(1, "Error", finished: 170), sidecar: true)],
                        apps: [c("myapp-container", running, ready: true)], phase: "Running", initialized: true),
            ready: "1/2", status: "Init:CrashLoopBackOff", restarts: "4 (10s ago)"),
    ]

    @Test(arguments: rows) func columns(_ row: Row) {
        let columns = PodStatusColumns(record: row.record, deleting: false, supervisorLost: false, now: now)
        #expect(columns.ready == row.ready)
        #expect(columns.status == row.status)
        #expect(columns.restarts == row.restarts)
    }

    @Test func jsonHasInitContainerStatusesAndTheSpecsInitContainers() throws {
        let r = pod(inits: [c("init-myservice", exited(0, "Completed")), c("init-mydb", running)], apps: [app])
        let json = PodJSON.object(PodView(record: r, supervisorAlive: true, node: "node1")).rendered()
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let status = try #require(object["status"] as? [String: Any])
        let inits = try #require(status["initContainerStatuses"] as? [[String: Any]])
        #expect(inits.map { $0["name"] as? String } == ["init-myservice", "init-mydb"])
        #expect((inits[0]["state"] as? [String: Any])?["terminated"] != nil)
        #expect((inits[1]["state"] as? [String: Any])?["running"] != nil)
        let apps = try #require(status["containerStatuses"] as? [[String: Any]])
        #expect(((apps[0]["state"] as? [String: Any])?["waiting"] as? [String: Any])?["reason"] as? String == "PodInitializing")
        let spec = try #require(object["spec"] as? [String: Any])
        #expect((spec["initContainers"] as? [[String: Any]])?.count == 2)
    }

    @Test func describeHasAnInitContainersSectionBeforeContainers() {
        let r = pod(inits: [c("init-myservice", exited(0, "Completed")), c("init-mydb", running)], apps: [app])
        let text = DescribePod.render(PodView(record: r, supervisorAlive: true, node: "node1"), events: [], now: now,
                                      timeZone: TimeZone(identifier: "UTC") ?? .current)
        guard let inits = text.range(of: "Init Containers:\n  init-myservice:\n"),
              let apps = text.range(of: "\nContainers:\n  myapp-container:\n") else {
            Issue.record("sections missing:\n\(text)")
            return
        }
        #expect(inits.upperBound < apps.lowerBound)
        #expect(text.contains("  init-mydb:\n"))
        let lines = text.split(separator: "\n").map { $0.split(separator: " ").joined(separator: " ") }
        #expect(lines.contains("Reason: Completed"), "\(text)")
        #expect(lines.contains("Reason: PodInitializing"), "\(text)")
    }
}
