import Foundation
import PodNetwork
import PodSpec
import Testing
@testable import Supervisor

// Pure logic of a pod's host ports: what portmap is asked for and which pods clash.

@Suite struct HostPortTests {
    static func pod(_ name: String, _ ports: String) throws -> Pod {
        let yaml = """
            apiVersion: v1
            kind: Pod
            metadata: {name: \(name)}
            spec:
              containers:
              - name: c
                image: /img
                command: [sleep, "1"]
                ports:
            \(ports)
            """
        return try #require(try PodFile.parse(yaml, file: "/tmp/\(name).yaml").first)
    }

    static func record(_ name: String, _ claims: [HostPortClaim]) -> PodRecord {
        PodRecord(name: name, namespace: "default", uid: "u-\(name)", creationTimestamp: Date(), labels: [:], annotations: [:],
                  manifest: "", sourceFile: "", restartPolicy: "Always", phase: "Running", reason: nil, message: nil,
                  startTime: nil, conditions: [], containers: [], supervisorPID: 1, supervisorStartTime: 1, sandboxPID: nil,
                  sandboxStartTime: nil,
                  network: PodNetworkRecord(sandboxID: "s", netns: nil, podIPs: [],
                                            hostIPs: [], cniBinDirs: [], hostPorts: claims),
                  deletionTimestamp: nil, deletionGracePeriodSeconds: nil)
    }

    @Test func portMappingsAreContainerdsLowerCasedAndOnlyForHostPorts() throws {
        let p = try Self.pod("web", """
                - {containerPort: 8080, hostPort: 30080}
                - {containerPort: 53, hostPort: 5353, protocol: UDP, hostIP: 127.0.0.1}
                - {containerPort: 9090}
            """)
        #expect(PodNetworker.portMappings(p) == [
            PortMapping(hostPort: 30080, containerPort: 8080, protocol: "tcp", hostIP: ""),
            PortMapping(hostPort: 5353, containerPort: 53, protocol: "udp", hostIP: "127.0.0.1"),
        ])
        #expect(PodNetworker.hostPortClaims(p).map(\.description) == ["30080/TCP", "127.0.0.1:5353/UDP"])
    }

    @Test func aTakenHostPortIsRefusedNamingTheFieldAndTheHolder() throws {
        let a = try Self.pod("a", "    - {containerPort: 8080, hostPort: 30080}")
        let b = try Self.pod("b", "    - {containerPort: 80, hostPort: 30080}")
        // In one file.
        #expect(throws: SupervisorError.self) { try HostPortCheck.check([a, b], against: []) }
        do { try HostPortCheck.check([b], against: [Self.record("a", PodNetworker.hostPortClaims(a))]) } catch {
            #expect("\(error)" == #"pod "b": spec.containers[0].ports[0].hostPort: 30080/TCP is already taken by pod "a" (30080/TCP)"#)
        }
    }

    @Test func portsClashOnlyOnTheSameProtocolAndOverlappingAddresses() {
        let any = HostPortClaim(port: 80, protocol: "TCP", hostIP: "")
        #expect(any.clashes(with: HostPortClaim(port: 80, protocol: "TCP", hostIP: "127.0.0.1")))
        #expect(!any.clashes(with: HostPortClaim(port: 80, protocol: "UDP", hostIP: "")))
        #expect(!any.clashes(with: HostPortClaim(port: 81, protocol: "TCP", hostIP: "")))
        let one = HostPortClaim(port: 80, protocol: "TCP", hostIP: "127.0.0.1")
        #expect(!one.clashes(with: HostPortClaim(port: 80, protocol: "TCP", hostIP: "127.0.0.2")))
        #expect(one.clashes(with: HostPortClaim(port: 80, protocol: "TCP", hostIP: "0.0.0.0")))
    }

    @Test func withoutANetworkAHostPortIsRefused() throws {
        let a = try Self.pod("a", "    - {containerPort: 8080, hostPort: 30080}")
        do {
            try HostPortCheck.checkReachable([a])
            Issue.record("a hostPort without a pod network was accepted")
        } catch {
            #expect("\(error)" == #"pod "a": spec.containers[0].ports[0].hostPort: needs a pod network (with --network none pods have loopback only)"#)
        }
        #expect(throws: Never.self) { try HostPortCheck.checkReachable([try Self.pod("b", "    - {containerPort: 8080}")]) }
    }
}
