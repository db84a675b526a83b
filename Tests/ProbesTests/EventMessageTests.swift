import Probes
import Testing

@Suite("Event messages")
struct EventMessageTests {
    static let pod = PodReference(name: "kubia-liveness", namespace: "default", uid: "a1b2")

    @Test("the kubelet's words", arguments: [
        (EventMessages.pulled(image: "kubia-unhealthy"), EventType.normal, "Pulled",
         "Container image \"kubia-unhealthy\" already present on machine"),
        (EventMessages.created(container: "kubia"), .normal, "Created", "Created container kubia"),
        (EventMessages.started(container: "kubia"), .normal, "Started", "Started container kubia"),
        (EventMessages.killing(container: "kubia", reason: .livenessProbe, willRestart: true), .normal, "Killing",
         "Container kubia failed liveness probe, will be restarted"),
        (EventMessages.killing(container: "kubia", reason: .startupProbe, willRestart: true), .normal, "Killing",
         "Container kubia failed startup probe, will be restarted"),
        (EventMessages.killing(container: "kubia", reason: .livenessProbe, willRestart: false), .normal, "Killing",
         "Container kubia failed liveness probe"),
        (EventMessages.killing(container: "kubia", reason: .stopping, willRestart: false), .normal, "Killing", "Stopping container kubia"),
        (EventMessages.backOff(container: "kubia", pod: pod), .warning, "BackOff",
         "Back-off restarting failed container kubia in pod kubia-liveness_default(a1b2)"),
        (EventMessages.failed(error: "exec: \"nope\": executable file not found in $PATH"), .warning, "Failed",
         "Error: exec: \"nope\": executable file not found in $PATH"),
    ] as [(EventNote, EventType, String, String)])
    func messages(note: EventNote, type: EventType, reason: String, message: String) {
        #expect(note == EventNote(type, reason: reason, message: message))
    }

    @Test("probe events name the probe kind", arguments: [
        (ProbeType.liveness, ProbeResult.failure(output: "HTTP probe failed with statuscode: 500"),
         EventNote?.some(EventNote(.warning, reason: "Unhealthy", message: "Liveness probe failed: HTTP probe failed with statuscode: 500"))),
        (.readiness, .failure(output: "dial tcp 127.0.0.1:8080: connect: connection refused"),
         EventNote(.warning, reason: "Unhealthy", message: "Readiness probe failed: dial tcp 127.0.0.1:8080: connect: connection refused")),
        (.startup, .failure(output: ""), EventNote(.warning, reason: "Unhealthy", message: "Startup probe failed: ")),
        (.liveness, .unknown(error: "timeout"),
         EventNote(.warning, reason: "Unhealthy", message: "Liveness probe errored and resulted in unknown state: timeout")),
        (.liveness, .warning(output: "Probe terminated redirects, Response body: x"),
         EventNote(.warning, reason: "ProbeWarning", message: "Liveness probe warning: Probe terminated redirects, Response body: x")),
        (.liveness, .success, nil),
    ])
    func probeEvents(kind: ProbeType, result: ProbeResult, expected: EventNote?) {
        #expect(EventMessages.probe(kind, result: result) == expected)
    }

    @Test("container events are filed under the pod with the container's field path")
    func references() {
        let object = Self.pod.container("kubia")
        #expect(object.kind == "Pod")
        #expect(object.apiVersion == "v1")
        #expect(object.fieldPath == "spec.containers{kubia}")
        #expect(Self.pod.object.fieldPath == nil)
        #expect(Self.pod.description == "kubia-liveness_default(a1b2)")
    }
}
