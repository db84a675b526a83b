import Foundation
import Testing

/// The gRPC cases of the Kubernetes e2e probe tests (test/e2e/common/node/container_probe.go)
/// and the documentation's gRPC liveness example, against real pods started by the `swiftlet`
/// binary on its default CNI network: the probe dials the pod IP from inside the pod's network
/// namespace and speaks h2c to a real grpcio health server running as the container's process.
///
/// The image: agnhost's `grpc-health-checking` (what the e2e tests run) is a Go program we cannot
/// fetch, so the container is the local busybox rootfs running `rootfs/grpc-health/server.py`
/// with the host's own Debian python3 and python3-grpcio, bind-mounted read-only (hostPath
/// volumes of /usr, /usr/lib as /lib and /usr/lib64 as /lib64: the interpreter's loader path).
/// That keeps the server a real process in the pod, started and restarted by swiftlet, with no
/// image to build or download.
@Suite(.enabled(if: geteuid() == 0 && FileManager.default.fileExists(atPath: "/usr/lib/python3/dist-packages/grpc"),
                "needs root (pods run real containers) and python3-grpcio (make deps)"), .serialized)
struct GRPCProbeE2ETests {
    static let serverDirectory = E2ESession.repo + "/rootfs/grpc-health"

    /// A one-container pod (`c`) whose process is the gRPC health server on `port`, with
    /// `probe` under the container and the server's calls logged to `<log>/calls`.
    static func pod(_ name: String, port: Int = 5000, log: String, serverFlags: [String] = [], probe: String) -> String {
        let command = ["/usr/bin/python3", "-u", "/grpc/server.py", "--host", "0.0.0.0", "--forever",
                       "--log", "/log/calls"] + serverFlags + ["\(port)"]
        return """
            apiVersion: v1
            kind: Pod
            metadata:
              name: \(name)
            spec:
              terminationGracePeriodSeconds: 1
              volumes:
              - {name: usr, hostPath: {path: /usr}}
              - {name: lib, hostPath: {path: /usr/lib}}
              - {name: lib64, hostPath: {path: /usr/lib64}}
              - {name: server, hostPath: {path: \(serverDirectory)}}
              - {name: log, hostPath: {path: \(log)}}
              containers:
              - name: c
                image: \(E2ESession.busybox)
                command: [\(command.map { "\"\($0)\"" }.joined(separator: ", "))]
                ports: [{containerPort: \(port)}]
                volumeMounts:
                - {name: usr, mountPath: /usr, readOnly: true}
                - {name: lib, mountPath: /lib, readOnly: true}
                - {name: lib64, mountPath: /lib64, readOnly: true}
                - {name: server, mountPath: /grpc, readOnly: true}
                - {name: log, mountPath: /log}
            \(probe.split(separator: "\n").map { "    " + $0 }.joined(separator: "\n"))
            """
    }

    func start(_ s: E2ESession, _ yaml: String) {
        let r = s.run(["run", "-d", "-f", s.write(yaml), "--backoff-initial", "1s"])
        #expect(r.status == 0, "run failed: \(r.err)")
    }

    func logDirectory(_ s: E2ESession) -> String {
        let path = s.dir + "/grpc-log"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    func calls(_ log: String) -> [String] {
        ((try? String(contentsOfFile: log + "/calls", encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    func podIP(_ s: E2ESession, _ name: String) -> String? {
        (s.pod(name)?["status"] as? [String: Any])?["podIP"] as? String
    }

    /// "should *not* be restarted with a GRPC liveness probe": port 5000, service unset,
    /// timeoutSeconds 5, failureThreshold 1 (the e2e's 15 s initial delay cut to 2 s).
    @Test func grpcLivenessLeavesAServingServerAlone() {
        let s = E2ESession()
        let log = logDirectory(s)
        start(s, Self.pod("grpc-serving", log: log, probe: """
            livenessProbe:
              grpc: {port: 5000}
              initialDelaySeconds: 2
              periodSeconds: 1
              timeoutSeconds: 5
              failureThreshold: 1
            """))
        #expect(s.eventually(30) { calls(log).count >= 2 }, "probed: \(s.events("grpc-serving"))")
        #expect(s.throughout(4) { s.restarts("grpc-serving") == 0 }, "never restarted")
        #expect(s.messages("grpc-serving", reason: "Unhealthy").isEmpty)
        #expect(s.phase("grpc-serving") == "Running")
        // Every call is the kubelet's: the whole server asked about, kube-probe's User-Agent.
        #expect(calls(log).allSatisfy { $0 == "service= user-agent=kube-probe/1.35" }, "\(calls(log))")
        #expect(s.run(["metrics"]).out.contains(#"handler="grpc""#), "counted by handler")
    }

    /// "should be restarted with a GRPC liveness probe": the probe names port 2333, where
    /// nothing listens. grpc-go keeps dialling until the timeout, so each probe fails after
    /// timeoutSeconds (1 s here, 5 s in the e2e) with the connect timeout.
    @Test func grpcLivenessRestartsOnAWrongPort() {
        let s = E2ESession()
        start(s, Self.pod("grpc-wrong-port", log: logDirectory(s), probe: """
            livenessProbe:
              grpc: {port: 2333}
              initialDelaySeconds: 1
              periodSeconds: 1
              timeoutSeconds: 1
              failureThreshold: 1
            """))
        #expect(s.eventually(40) { s.restarts("grpc-wrong-port") >= 1 }, "restarted: \(s.events("grpc-wrong-port"))")
        let ip = podIP(s, "grpc-wrong-port") ?? "?"
        #expect(s.messages("grpc-wrong-port", reason: "Unhealthy").contains(
            "Liveness probe failed: timeout: failed to connect service \"\(ip):2333\" within 1s: context deadline exceeded"),
            "\(s.events("grpc-wrong-port"))")
        #expect(s.messages("grpc-wrong-port", reason: "Killing").contains("Container c failed liveness probe, will be restarted"))
    }

    /// The server turns NOT_SERVING 3 s after it starts (as the e2e's TLS case "returns not
    /// healthy" does): the probe says so in the kubelet's words, and the container restarts;
    /// the new instance serves again.
    @Test func grpcLivenessRestartsWhenTheServerStopsServing() {
        let s = E2ESession()
        let log = logDirectory(s)
        start(s, Self.pod("grpc-not-serving", log: log, serverFlags: ["--not-serving-after", "3"], probe: """
            livenessProbe:
              grpc: {port: 5000}
              initialDelaySeconds: 1
              periodSeconds: 1
              failureThreshold: 2
            """))
        #expect(s.eventually(40) { s.restarts("grpc-not-serving") >= 1 }, "restarted: \(s.events("grpc-not-serving"))")
        #expect(s.messages("grpc-not-serving", reason: "Unhealthy").contains(
            "Liveness probe failed: service unhealthy (responded with \"NOT_SERVING\")"), "\(s.events("grpc-not-serving"))")
    }

    /// A readiness probe on a service the server does not know: NotFound, never ready, never
    /// restarted (readiness failures do not kill).
    @Test func grpcReadinessOnAnUnknownServiceIsNeverReady() {
        let s = E2ESession()
        let log = logDirectory(s)
        start(s, Self.pod("grpc-unknown-service", log: log, probe: """
            readinessProbe:
              grpc: {port: 5000, service: no-such-service}
              periodSeconds: 1
            """))
        #expect(s.eventually(30) {
            s.messages("grpc-unknown-service", reason: "Unhealthy").contains(
                "Readiness probe failed: error: health rpc probe failed: rpc error: code = NotFound desc = ")
        }, "\(s.events("grpc-unknown-service"))")
        #expect(s.containerStatus("grpc-unknown-service")?["ready"] as? Bool == false)
        #expect(s.restarts("grpc-unknown-service") == 0)
        #expect(calls(log).contains("service=no-such-service user-agent=kube-probe/1.35"), "\(calls(log))")
    }

    /// The documentation's example (tasks/configure-pod-container/configure-liveness-readiness-
    /// startup-probes, "Define a gRPC liveness probe"): `etcd-with-grpc`, a container `etcd`
    /// serving gRPC health on 2379 and `livenessProbe: {grpc: {port: 2379}, initialDelaySeconds:
    /// 10}`. Adapted: our health server stands in for etcd, and the delay is 2 s.
    @Test func theDocumentationsGRPCLivenessExampleRuns() {
        let s = E2ESession()
        let log = logDirectory(s)
        let yaml = Self.pod("etcd-with-grpc", port: 2379, log: log, probe: """
            livenessProbe:
              grpc:
                port: 2379
              initialDelaySeconds: 2
            """).replacingOccurrences(of: "  - name: c\n", with: "  - name: etcd\n")
        start(s, yaml)
        #expect(s.eventually(30) { calls(log).count >= 1 }, "probed once the delay passed: \(s.events("etcd-with-grpc"))")
        #expect(s.phase("etcd-with-grpc") == "Running")
        #expect(s.restarts("etcd-with-grpc") == 0)
        #expect(s.messages("etcd-with-grpc", reason: "Unhealthy").isEmpty)
        let described = s.run(["describe", "pod", "etcd-with-grpc"]).out
        #expect(described.contains("grpc <pod>:2379  delay=2s timeout=1s period=10s #success=1 #failure=3"), "\(described)")
    }
}
