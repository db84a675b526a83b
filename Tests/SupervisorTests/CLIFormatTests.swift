import Foundation
import PodSpec
import Probes
import Testing
@testable import Supervisor
@testable import swiftlet

// The pure formatting behind `swiftlet get/describe/logs`: kubectl's columns, reasons, JSON shape.

/// 2024-05-01T12:00:00Z and times relative to it.
private let t0 = Date(timeIntervalSince1970: 1_714_564_800)
private func at(_ seconds: Double) -> Date { t0.addingTimeInterval(seconds) }
private let now = WallTime(at(180))

private let manifest = """
    apiVersion: v1
    kind: Pod
    metadata:
      name: kubia-liveness
    spec:
      containers:
      - name: kubia
        image: kubia-unhealthy
        ports:
        - containerPort: 8080
        livenessProbe:
          httpGet:
            path: /
            port: 8080
    """

private func container(_ name: String = "kubia", state: ContainerRecord.ContainerState, ready: Bool = false,
                       restarts: Int = 0, last: ContainerRecord.ContainerState? = nil, instance: Int = 0) -> ContainerRecord {
    ContainerRecord(name: name, image: "kubia-unhealthy", ready: ready, started: ready, restartCount: restarts,
                    state: state, lastState: last, pid: nil, pidStartTime: nil, cgroup: nil, instance: instance)
}

private func terminated(_ code: Int32, _ reason: String, signal: Int32? = nil, finished: Double = 100) -> ContainerRecord.ContainerState {
    .terminated(ContainerRecord.Terminated(exitCode: code, signal: signal, reason: reason, message: nil,
                                           startedAt: at(10), finishedAt: at(finished)))
}

private func record(_ containers: [ContainerRecord], phase: String = "Running", ready: Bool = true,
                    supervisorPID: Int32 = 4242, network: PodNetworkRecord? = nil) -> PodRecord {
    PodRecord(name: "kubia-liveness", namespace: "default", uid: "6c0b3c1e-0000-4000-8000-000000000001",
              creationTimestamp: t0, labels: ["app": "kubia"], annotations: [:], manifest: manifest,
              sourceFile: "/demo/kubia-liveness.yaml", restartPolicy: "Always", phase: phase, reason: nil,
              message: nil, startTime: t0,
              conditions: [.init(type: "Initialized", status: "True", lastTransitionTime: t0),
                           .init(type: "Ready", status: ready ? "True" : "False", lastTransitionTime: at(5)),
                           .init(type: "ContainersReady", status: ready ? "True" : "False", lastTransitionTime: at(5)),
                           .init(type: "PodScheduled", status: "True", lastTransitionTime: t0)],
              containers: containers, supervisorPID: supervisorPID, supervisorStartTime: 1,
              sandboxPID: nil, sandboxStartTime: nil, network: network, deletionTimestamp: nil, deletionGracePeriodSeconds: nil)
}

private func view(_ r: PodRecord, alive: Bool = true) -> PodView {
    PodView(record: r, supervisorAlive: alive, node: "node1")
}

private func columns(_ r: PodRecord, deleting: Bool = false, lost: Bool = false) -> PodStatusColumns {
    PodStatusColumns(record: r, deleting: deleting, supervisorLost: lost, now: now)
}

/// Parses rendered JSON and walks a jq-like path: ["status", "containerStatuses", 0, "restartCount"].
private func value(_ json: JSON, _ path: [Any]) -> Any? {
    guard let data = json.rendered().data(using: .utf8),
          var current = try? JSONSerialization.jsonObject(with: data) else { return nil }
    for step in path {
        if let key = step as? String, let object = current as? [String: Any], let next = object[key] {
            current = next
        } else if let index = step as? Int, let array = current as? [Any], array.indices.contains(index) {
            current = array[index]
        } else {
            return nil
        }
    }
    return current
}

@Suite struct StatusColumnTests {
    @Test(arguments: [
        (ContainerRecord.ContainerState.running(startedAt: at(5)), true, "Running", "1/1"),
        (.waiting(reason: "CrashLoopBackOff", message: "back-off 10s"), false, "CrashLoopBackOff", "0/1"),
        (.waiting(reason: "ContainerCreating", message: nil), false, "ContainerCreating", "0/1"),
        (terminated(1, "Error"), false, "Error", "0/1"),
        (terminated(0, "Completed"), false, "Completed", "0/1"),
        (terminated(137, "OOMKilled", signal: 9), false, "OOMKilled", "0/1"),
        (terminated(137, "", signal: 9), false, "Signal:9", "0/1"),
        (terminated(3, ""), false, "ExitCode:3", "0/1"),
    ])
    func reasonOfOneContainer(state: ContainerRecord.ContainerState, ready: Bool, status: String, readyColumn: String) {
        let c = columns(record([container(state: state, ready: ready)]))
        #expect(c.status == status)
        #expect(c.ready == readyColumn)
    }

    @Test func theFirstContainersReasonWins() {
        let r = record([container("a", state: .waiting(reason: "CrashLoopBackOff", message: nil)),
                        container("b", state: terminated(1, "Error"))])
        #expect(columns(r).status == "CrashLoopBackOff")
    }

    @Test func completedBesideARunningContainerIsRunningOrNotReady() {
        let containers = [container("a", state: terminated(0, "Completed")),
                          container("b", state: .running(startedAt: at(5)), ready: true)]
        #expect(columns(record(containers, ready: true)).status == "Running")
        #expect(columns(record(containers, ready: false)).status == "NotReady")
        #expect(columns(record(containers)).ready == "1/2")
    }

    @Test func deletionShowsTerminatingUnlessThePodFinished() {
        let running = record([container(state: .running(startedAt: at(5)), ready: true)])
        #expect(columns(running, deleting: true).status == "Terminating")
        let done = record([container(state: terminated(0, "Completed"))], phase: "Succeeded")
        #expect(columns(done, deleting: true).status == "Completed")
    }

    @Test func aLostSupervisorShowsUnknown() {
        let r = record([container(state: .running(startedAt: at(5)), ready: true)])
        #expect(columns(r, lost: true).status == "Unknown")
        #expect(columns(r, deleting: true, lost: true).status == "Unknown")
    }

    @Test func restartsShowTheLatestRestartLikeKubectl127() {
        #expect(columns(record([container(state: .running(startedAt: at(5)))])).restarts == "0")
        let restarted = container(state: .running(startedAt: at(140)), restarts: 2, last: terminated(137, "Error", finished: 138))
        #expect(columns(record([restarted])).restarts == "2 (42s ago)")
        // The sum over containers, with the most recent restart of any of them.
        let other = container("b", state: .running(startedAt: at(60)), restarts: 1, last: terminated(1, "Error", finished: 50))
        #expect(columns(record([restarted, other])).restarts == "3 (42s ago)")
        // A count without a recorded last state has no time.
        #expect(columns(record([container(state: .running(startedAt: at(5)), restarts: 3)])).restarts == "3")
    }

    @Test func tableLinesUpAsKubectls() {
        let r = record([container(state: .running(startedAt: at(140)), ready: true, restarts: 2,
                                  last: terminated(137, "Error", finished: 138))])
        #expect(PodTable.render([view(r)], wide: false, now: now) == """
            NAME             READY   STATUS    RESTARTS      AGE
            kubia-liveness   1/1     Running   2 (42s ago)   3m

            """)
        #expect(PodTable.render([view(r)], wide: true, now: now) == """
            NAME             READY   STATUS    RESTARTS      AGE   IP       NODE    NOMINATED NODE   READINESS GATES
            kubia-liveness   1/1     Running   2 (42s ago)   3m    <none>   node1   <none>           <none>

            """)
    }
}

@Suite struct PodJSONTests {
    let restarted = record([container(state: .running(startedAt: at(140)), ready: true, restarts: 2,
                                      last: terminated(137, "Error", signal: 9, finished: 138), instance: 2)])

    @Test func kubectlJQPathsWork() {
        let pod = PodJSON.object(view(restarted))
        #expect(value(pod, ["apiVersion"]) as? String == "v1")
        #expect(value(pod, ["kind"]) as? String == "Pod")
        #expect(value(pod, ["metadata", "name"]) as? String == "kubia-liveness")
        #expect(value(pod, ["metadata", "creationTimestamp"]) as? String == "2024-05-01T12:00:00Z")
        #expect(value(pod, ["metadata", "labels", "app"]) as? String == "kubia")
        #expect(value(pod, ["status", "phase"]) as? String == "Running")
        #expect(value(pod, ["status", "startTime"]) as? String == "2024-05-01T12:00:00Z")
        #expect(value(pod, ["status", "conditions", 1, "type"]) as? String == "Ready")
        #expect(value(pod, ["status", "conditions", 1, "lastTransitionTime"]) as? String == "2024-05-01T12:00:05Z")
        let status = ["status", "containerStatuses", 0] as [Any]
        #expect(value(pod, status + ["name"]) as? String == "kubia")
        #expect(value(pod, status + ["ready"]) as? Bool == true)
        #expect(value(pod, status + ["started"]) as? Bool == true)
        #expect(value(pod, status + ["restartCount"]) as? Int == 2)
        #expect(value(pod, status + ["state", "running", "startedAt"]) as? String == "2024-05-01T12:02:20Z")
        #expect(value(pod, status + ["lastState", "terminated", "exitCode"]) as? Int == 137)
        #expect(value(pod, status + ["lastState", "terminated", "signal"]) as? Int == 9)
        #expect(value(pod, status + ["lastState", "terminated", "reason"]) as? String == "Error")
        #expect(value(pod, status + ["lastState", "terminated", "startedAt"]) as? String == "2024-05-01T12:00:10Z")
        #expect(value(pod, status + ["lastState", "terminated", "finishedAt"]) as? String == "2024-05-01T12:02:18Z")
    }

    @Test func specComesFromTheManifestWithDefaults() {
        let pod = PodJSON.object(view(restarted))
        let probe = ["spec", "containers", 0, "livenessProbe"] as [Any]
        #expect(value(pod, probe + ["httpGet", "port"]) as? Int == 8080)
        #expect(value(pod, probe + ["httpGet", "scheme"]) as? String == "HTTP")
        #expect(value(pod, probe + ["periodSeconds"]) as? Int == 10)
        #expect(value(pod, probe + ["failureThreshold"]) as? Int == 3)
        #expect(value(pod, ["spec", "containers", 0, "image"]) as? String == "kubia-unhealthy")
        #expect(value(pod, ["spec", "restartPolicy"]) as? String == "Always")
        #expect(value(pod, ["spec", "terminationGracePeriodSeconds"]) as? Int == 30)
        #expect(value(pod, ["spec", "nodeName"]) as? String == "node1")
    }

    @Test func statesHaveKubernetesShapes() {
        let waiting = record([container(state: .waiting(reason: "CrashLoopBackOff", message: "back-off 10s"))])
        let pod = PodJSON.object(view(waiting))
        let status = ["status", "containerStatuses", 0] as [Any]
        #expect(value(pod, status + ["state", "waiting", "reason"]) as? String == "CrashLoopBackOff")
        #expect(value(pod, status + ["state", "waiting", "message"]) as? String == "back-off 10s")
        // No last state is `{}`, never null, so `.lastState.terminated` is simply null in jq.
        #expect((value(pod, status + ["lastState"]) as? [String: Any])?.isEmpty == true)
        // A zero signal is left out, as Kubernetes' omitempty does.
        let exited = PodJSON.object(view(record([container(state: terminated(1, "Error"))])))
        #expect(value(exited, status + ["state", "terminated", "exitCode"]) as? Int == 1)
        #expect(value(exited, status + ["state", "terminated", "signal"]) == nil)
    }

    @Test func oneNamedPodIsAPodSeveralAreAList() {
        #expect(value(PodJSON.document([view(restarted)], single: true), ["kind"]) as? String == "Pod")
        let list = PodJSON.document([view(restarted), view(restarted)], single: false)
        #expect(value(list, ["kind"]) as? String == "List")
        #expect(value(list, ["items", 1, "status", "containerStatuses", 0, "restartCount"]) as? Int == 2)
        #expect(value(PodJSON.document([], single: false), ["items"]) as? [Any] != nil)
    }

    @Test func aDeadSupervisorMakesThePodUnknown() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("swiftlet-cli-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        let store = PodStore(root: root)
        // Our own pid with a start time it never had: the recorded supervisor is not this process.
        let ownStart = try #require(ProcessIdentity.startTime(pid: getpid()))
        var r = restarted
        r.supervisorPID = getpid()
        r.supervisorStartTime = ownStart + 1
        let lost = PodView(record: r, store: store)
        #expect(lost.supervisorLost)
        let pod = PodJSON.object(lost)
        #expect(value(pod, ["status", "phase"]) as? String == "Unknown")
        #expect(value(pod, ["status", "reason"]) as? String == "SupervisorLost")
        #expect(value(pod, ["status", "message"]) as? String == "swiftlet-keeper (pid \(getpid())), which held the pod's containers, is not running")
        #expect(value(pod, ["status", "containerStatuses", 0, "ready"]) as? Bool == false)
        #expect(PodTable.render([lost], wide: false, now: now).contains("0/1     Unknown"))

        r.supervisorStartTime = ownStart
        #expect(!PodView(record: r, store: store).supervisorLost)
    }

    @Test func aDeletionHasKubernetesDeletionFields() {
        var asked = restarted
        asked.deletionTimestamp = at(170)
        asked.deletionGracePeriodSeconds = 5
        let deleting = view(asked)
        let pod = PodJSON.object(deleting)
        // deletionTimestamp is when the grace period runs out, as in Kubernetes.
        #expect(value(pod, ["metadata", "deletionTimestamp"]) as? String == "2024-05-01T12:02:55Z")
        #expect(value(pod, ["metadata", "deletionGracePeriodSeconds"]) as? Int == 5)
        // Without a grace period of its own, the pod's applies.
        asked.deletionGracePeriodSeconds = nil
        let ownGrace = view(asked)
        #expect(ownGrace.deletion?.graceSeconds == 30)
    }

    @Test func printsAsGoMarshalIndentDoes() {
        let json = JSON.members(["b": .array([]), "a": .object([:]), "msg": .string("<a & b>\n\"q\""), "n": nil,
                                 "list": .array([.int(1), .bool(false), .null])])
        #expect(json.rendered() == """
            {
                "a": {},
                "b": [],
                "list": [
                    1,
                    false,
                    null
                ],
                "msg": "\\u003ca \\u0026 b\\u003e\\n\\"q\\""
            }
            """)
    }
}

@Suite struct EventFormatTests {
    let r = record([container(state: .running(startedAt: at(5)), ready: true)])

    func stored(_ reason: String, _ message: String, first: Double, last: Double, count: Int,
                type: String = "Normal", object: String = "spec.containers{kubia}") -> StoredEvent {
        StoredEvent(type: type, reason: reason, message: message, object: object, source: "swiftlet",
                    firstTimestamp: at(first), lastTimestamp: at(last), count: count)
    }

    var events: [Probes.Event] {
        PodEvents.events([
            stored("Pulled", "Container image \"kubia-unhealthy\" already present on machine", first: 0, last: 0, count: 1),
            stored("Unhealthy", "Liveness probe failed: HTTP probe failed with statuscode: 500", first: 8, last: 138,
                   count: 6, type: "Warning"),
            stored("Killing", "Container kubia failed liveness probe, will be restarted", first: 128, last: 128, count: 1),
        ], of: r)
    }

    @Test func getEventsTableIsSortedByLastSeen() {
        #expect(PodEvents.table(events.reversed(), now: now) == """
            LAST SEEN   TYPE      REASON      OBJECT               MESSAGE
            3m          Normal    Pulled      pod/kubia-liveness   Container image "kubia-unhealthy" already present on machine
            52s         Normal    Killing     pod/kubia-liveness   Container kubia failed liveness probe, will be restarted
            42s         Warning   Unhealthy   pod/kubia-liveness   Liveness probe failed: HTTP probe failed with statuscode: 500

            """)
    }

    @Test func eventJSONNamesThePodAndContainer() {
        let json = PodEvents.list(events, node: "node1")
        let unhealthy = ["items", 2] as [Any]
        #expect(value(json, ["kind"]) as? String == "List")
        #expect(value(json, unhealthy + ["kind"]) as? String == "Event")
        #expect(value(json, unhealthy + ["involvedObject", "kind"]) as? String == "Pod")
        #expect(value(json, unhealthy + ["involvedObject", "name"]) as? String == "kubia-liveness")
        #expect(value(json, unhealthy + ["involvedObject", "fieldPath"]) as? String == "spec.containers{kubia}")
        #expect(value(json, unhealthy + ["count"]) as? Int == 6)
        #expect(value(json, unhealthy + ["firstTimestamp"]) as? String == "2024-05-01T12:00:08Z")
        #expect(value(json, unhealthy + ["lastTimestamp"]) as? String == "2024-05-01T12:02:18Z")
        #expect(value(json, unhealthy + ["source", "component"]) as? String == "swiftlet")
        #expect(value(json, unhealthy + ["type"]) as? String == "Warning")
    }

    @Test func watchPrintsNewAndChangedEventsOnly() {
        var watch = EventWatch(events)
        #expect(watch.update(events).isEmpty)
        var changed = events
        changed[1].count = 7
        changed[1].lastTimestamp = WallTime(at(148))
        let fresh = PodEvents.event(from: stored("Started", "Started container kubia", first: 150, last: 150, count: 1),
                                    pod: PodReference(name: r.name, uid: r.uid))
        #expect(watch.update(changed + [fresh]).map(\.reason) == ["Unhealthy", "Started"])
    }

    @Test func describeEndsWithKubectlsEventsTable() {
        let text = DescribePod.render(view(r), events: events, now: now, timeZone: TimeZone(identifier: "UTC") ?? .current)
        #expect(text.hasSuffix("""
            Events:
              Type     Reason     Age                  From      Message
              ----     ------     ----                 ----      -------
              Normal   Pulled     3m                   swiftlet  Container image "kubia-unhealthy" already present on machine
              Normal   Killing    52s                  swiftlet  Container kubia failed liveness probe, will be restarted
              Warning  Unhealthy  42s (x6 over 2m52s)  swiftlet  Liveness probe failed: HTTP probe failed with statuscode: 500

            """))
    }
}

@Suite struct DescribeTests {
    @Test func aPodOnTheNetworkShowsItsIPsAsKubectlDoes() throws {
        let network = PodNetworkRecord(sandboxID: "abc", netns: "/run/swiftlet/netns/abc",
                                       podIPs: ["10.85.0.7"], hostIPs: ["192.0.2.10"],
                                       cniBinDirs: ["/usr/lib/cni"], hostPorts: [])
        let r = record([container(state: .running(startedAt: at(140)), ready: true)], network: network)
        #expect(PodTable.render([view(r)], wide: true, now: now) == """
            NAME             READY   STATUS    RESTARTS   AGE   IP          NODE    NOMINATED NODE   READINESS GATES
            kubia-liveness   1/1     Running   0          3m    10.85.0.7   node1   <none>           <none>

            """)
        let text = DescribePod.render(view(r), events: [], now: now, timeZone: TimeZone(identifier: "UTC") ?? .current)
        #expect(text.contains("Node:         node1/192.0.2.10\n"))
        #expect(text.contains("IP:           10.85.0.7\nIPs:\n  IP:  10.85.0.7\n"))
        let json = PodJSON.object(view(r))
        #expect(value(json, ["status", "podIP"]) as? String == "10.85.0.7")
        #expect(value(json, ["status", "podIPs", 0, "ip"]) as? String == "10.85.0.7")
        #expect(value(json, ["status", "hostIP"]) as? String == "192.0.2.10")
        #expect(value(json, ["status", "hostIPs", 0, "ip"]) as? String == "192.0.2.10")
        // Without a network (--network none): no podIP at all, as the API server omits it.
        #expect(value(PodJSON.object(view(record([container(state: .running(startedAt: at(140)))]))), ["status", "podIP"]) == nil)
    }

    @Test func describeMatchesKubectlsLayout() {
        let r = record([container(state: .running(startedAt: at(140)), ready: true, restarts: 1,
                                  last: terminated(137, "Error", signal: 9, finished: 138), instance: 1)])
        let text = DescribePod.render(view(r), events: [], now: now, timeZone: TimeZone(identifier: "UTC") ?? .current)
        #expect(text == """
            Name:         kubia-liveness
            Namespace:    default
            Priority:     0
            Node:         node1
            Start Time:   Wed, 01 May 2024 12:00:00 +0000
            Labels:       app=kubia
            Annotations:  <none>
            Status:       Running
            IP:          \u{20}
            IPs:          <none>
            Containers:
              kubia:
                Image:          kubia-unhealthy
                Port:           8080/TCP
                Host Port:      0/TCP
                State:          Running
                  Started:      Wed, 01 May 2024 12:02:20 +0000
                Last State:     Terminated
                  Reason:       Error
                  Exit Code:    137
                  Signal:       9
                  Started:      Wed, 01 May 2024 12:00:10 +0000
                  Finished:     Wed, 01 May 2024 12:02:18 +0000
                Ready:          True
                Restart Count:  1
                Liveness:       http-get http://:8080/ delay=0s timeout=1s period=10s #success=1 #failure=3
                Environment:    <none>
                Mounts:         <none>
            Conditions:
              Type              Status
              Initialized       True\u{20}
              Ready             True\u{20}
              ContainersReady   True\u{20}
              PodScheduled      True\u{20}
            Volumes:            <none>
            QoS Class:          BestEffort
            Node-Selectors:     <none>
            Tolerations:        <none>
            Events:             <none>

            """)
    }

    @Test(arguments: [
        (Probe(handler: .httpGet(HTTPGetAction(path: "/healthz", port: .name("http")))),
         "http-get http://:http/healthz delay=0s timeout=1s period=10s #success=1 #failure=3"),
        (Probe(handler: .httpGet(HTTPGetAction(port: .number(8443), host: "::1", scheme: .https)), initialDelaySeconds: 15),
         "http-get https://[::1]:8443/ delay=15s timeout=1s period=10s #success=1 #failure=3"),
        (Probe(handler: .tcpSocket(TCPSocketAction(port: .number(8080))), timeoutSeconds: 2, periodSeconds: 5),
         "tcp-socket :8080 delay=0s timeout=2s period=5s #success=1 #failure=3"),
        (Probe(handler: .exec(["cat", "/tmp/healthy"]), failureThreshold: 1),
         "exec [cat /tmp/healthy] delay=0s timeout=1s period=10s #success=1 #failure=1"),
        (Probe(handler: .grpc(GRPCAction(port: 9000))),
         "grpc <pod>:9000  delay=0s timeout=1s period=10s #success=1 #failure=3"),
    ])
    func probeLines(probe: Probe, expected: String) {
        #expect(ProbeDescription.describe(probe) == expected)
    }
}

@Suite struct LogFormatTests {
    func render(_ text: String, timestamps: Bool = false) -> String {
        var printer = CRILogPrinter(timestamps: timestamps)
        return String(decoding: printer.render(lines: ArraySlice(Array(text.utf8))), as: UTF8.self)
    }

    @Test func printsTheTextOfFullLines() {
        #expect(render("2024-05-01T12:00:00.1Z stdout F hello world\n2024-05-01T12:00:01Z stderr F oops\n")
                == "hello world\noops\n")
    }

    @Test func joinsPartialLines() {
        let log = "2024-05-01T12:00:00.1Z stdout P first \n2024-05-01T12:00:00.2Z stdout P second \n"
            + "2024-05-01T12:00:00.3Z stdout F third\n2024-05-01T12:00:01Z stdout F next\n"
        #expect(render(log) == "first second third\nnext\n")
        // The time goes before each line, not before each part.
        #expect(render(log, timestamps: true)
                == "2024-05-01T12:00:00.100000000Z first second third\n2024-05-01T12:00:01.000000000Z next\n")
    }

    @Test func keepsEmptyLinesAndSkipsMalformedOnes() {
        #expect(render("2024-05-01T12:00:00Z stdout F \nnot a cri line\n2024-05-01T12:00:00Z stdout X what\n") == "\n")
        #expect(render("2024-05-01T12:00:00Z stdout F\n") == "\n")
    }

    @Test func timestampsHaveNineFractionalDigits() {
        #expect(CRILogPrinter.fixedNano("2024-05-01T12:00:00.123456789Z") == "2024-05-01T12:00:00.123456789Z")
        #expect(CRILogPrinter.fixedNano("2024-05-01T12:00:00.12Z") == "2024-05-01T12:00:00.120000000Z")
        #expect(CRILogPrinter.fixedNano("2024-05-01T12:00:00+02:00") == "2024-05-01T12:00:00.000000000+02:00")
    }
}

@Suite struct ContainerChoiceTests {
    @Test func severalContainersNeedAName() throws {
        let r = record([container("a", state: .running(startedAt: at(5))), container("b", state: .running(startedAt: at(5)))])
        #expect(throws: CLIError.self) { try ContainerSelection.choose(nil, in: r) }
        do {
            _ = try ContainerSelection.choose(nil, in: r)
        } catch {
            #expect(error.description == "error: a container name must be specified for pod kubia-liveness, choose one of: [a b]")
        }
        #expect(try ContainerSelection.choose("b", in: r).name == "b")
        var annotated = r
        annotated.annotations[ContainerSelection.defaultContainerAnnotation] = "b"
        #expect(try ContainerSelection.choose(nil, in: annotated).name == "b")
    }

    @Test func logInstanceFollowsTheKubelet() throws {
        let running = container(state: .running(startedAt: at(5)), restarts: 2, last: terminated(1, "Error"), instance: 2)
        #expect(try ContainerSelection.logInstance(of: running, pod: "p", previous: false) == 2)
        #expect(try ContainerSelection.logInstance(of: running, pod: "p", previous: true) == 1)
        // Waiting to restart: the instance that just ended is both the current and the previous log.
        let backOff = container(state: .waiting(reason: "CrashLoopBackOff", message: nil), restarts: 2,
                                last: terminated(1, "Error"), instance: 2)
        #expect(try ContainerSelection.logInstance(of: backOff, pod: "p", previous: false) == 2)
        #expect(try ContainerSelection.logInstance(of: backOff, pod: "p", previous: true) == 2)

        let fresh = container(state: .running(startedAt: at(5)))
        do {
            _ = try ContainerSelection.logInstance(of: fresh, pod: "p", previous: true)
            Issue.record("expected an error")
        } catch {
            #expect(error.description
                    == "Error from server (BadRequest): previous terminated container \"kubia\" in pod \"p\" not found")
        }
        let creating = container(state: .waiting(reason: "ContainerCreating", message: nil))
        do {
            _ = try ContainerSelection.logInstance(of: creating, pod: "p", previous: false)
            Issue.record("expected an error")
        } catch {
            #expect(error.description
                    == "Error from server (BadRequest): container \"kubia\" in pod \"p\" is waiting to start: ContainerCreating")
        }
    }

    @Test func podArgumentsTakeKubectlsForms() throws {
        #expect(try PodArguments.podNames(["pod", "a", "b"]) == ["a", "b"])
        #expect(try PodArguments.podNames(["po/a", "pods/b"]) == ["a", "b"])
        #expect(try PodArguments.podName("a") == "a")
        #expect(throws: CLIError.self) { try PodArguments.podNames(["deployment", "a"]) }
        #expect(throws: CLIError.self) { try PodArguments.podName("svc/a") }
    }
}

@Suite struct ProcessIdentityTests {
    @Test func startTimeIsFieldTwentyTwoEvenWithParenthesesInTheName() {
        let line = "1234 (my (odd) name) S 1 1234 1234 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654 1000 100 "
            + "18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0\n"
        #expect(ProcessIdentity.parse(statLine: line)?.startTime == 987654)
        #expect(ProcessIdentity.parse(statLine: line)?.state == "S")
        #expect(ProcessIdentity.parse(statLine: "garbage") == nil)
    }

    @Test func ourOwnProcessIsAlive() throws {
        let start = try #require(ProcessIdentity.startTime(pid: getpid()))
        #expect(ProcessIdentity(pid: getpid(), startTime: start).isAlive)
        #expect(!ProcessIdentity(pid: getpid(), startTime: start + 1).isAlive)
    }

    @Test func aZombieIsNotAlive() throws {
        var pid: pid_t = 0
        let argv: [UnsafeMutablePointer<CChar>?] = [strdup("/bin/true"), nil]
        defer { argv.forEach { free($0) } }
        try #require(posix_spawn(&pid, "/bin/true", nil, nil, argv, environ) == 0)
        defer { var status: Int32 = 0; waitpid(pid, &status, 0) }
        // Not reaped yet: it stays in /proc as a zombie, with its start time.
        var stat = ProcessIdentity.parse(statLine: (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? "")
        for _ in 0..<200 where stat?.state != "Z" {
            usleep(10_000)
            stat = ProcessIdentity.parse(statLine: (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? "")
        }
        let zombie = try #require(stat)
        #expect(zombie.state == "Z")
        #expect(!ProcessIdentity(pid: pid, startTime: zombie.startTime).isAlive)
    }
}
