import Foundation
import Testing

/// End-to-end: the pod `securityContext`, `runAsNonRoot` and `shareProcessNamespace` on real
/// pods started by the `swiftlet` binary. Ports of test/e2e/common/node/security_context.go,
/// test/e2e/common/node/sysctl.go and the "Share Process Namespace between Containers in a Pod"
/// task page, with short back-offs.
@Suite(.enabled(if: geteuid() == 0, "needs root: pods run real containers"), .serialized)
struct PodSecurityE2ETests {
    static let busybox = E2ESession.busybox

    /// One busybox container running `script`, with extra pod-level and container-level YAML.
    static func pod(_ name: String, _ script: String, podExtra: String = "", containerExtra: String = "",
                    image: String = busybox, restartPolicy: String = "Never") -> String {
        """
        apiVersion: v1
        kind: Pod
        metadata:
          name: \(name)
        spec:
          restartPolicy: \(restartPolicy)
        \(podExtra.split(separator: "\n").map { "  " + $0 }.joined(separator: "\n"))
          containers:
          - name: c
            image: \(image)
            command: ["sh", "-c", "\(script)"]
        \(containerExtra.split(separator: "\n").map { "    " + $0 }.joined(separator: "\n"))
        """
    }

    /// Runs the pod to completion (restartPolicy Never) and returns its log.
    static func logOfCompleted(_ s: E2ESession, _ name: String, _ yaml: String) -> String {
        let started = s.run(["run", "-d", "-f", s.write(yaml)])
        #expect(started.status == 0, "\(started.err)")
        #expect(s.eventually(30) { s.phase(name) == "Succeeded" }, "phase: \(s.phase(name) ?? "none")")
        return s.run(["logs", name]).out
    }

    /// An OCI bundle over the busybox rootfs whose image user is `uid` (an image with `USER 1234`).
    static func imageWithUser(_ s: E2ESession, uid: Int) throws -> String {
        let image = s.dir + "/user-\(uid)-image"
        try FileManager.default.createDirectory(atPath: image, withIntermediateDirectories: true)
        let config: [String: Any] = [
            "ociVersion": "1.0.2", "root": ["path": busybox],
            "process": ["args": ["sh"], "cwd": "/", "user": ["uid": uid, "gid": uid],
                        "env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]],
            "linux": ["namespaces": [["type": "mount"]]],
        ]
        try JSONSerialization.data(withJSONObject: config).write(to: URL(fileURLWithPath: image + "/config.json"))
        return image
    }

    // MARK: runAsUser, runAsGroup, supplementalGroups, fsGroup

    /// security_context.go "When creating a container with runAsUser should run the container
    /// with uid 65534".
    @Test func containerRunAsUser() throws {
        let s = E2ESession()
        let log = Self.logOfCompleted(s, "secoom-uid", Self.pod("secoom-uid", "id -u",
                                                                containerExtra: "securityContext:\n  runAsUser: 65534"))
        #expect(log.trimmingCharacters(in: .whitespacesAndNewlines) == "65534", "\(log)")
    }

    /// The documentation's security-context.yaml: pod-level runAsUser 1000, runAsGroup 3000,
    /// fsGroup 2000, plus supplementalGroups; `id` inside shows them all.
    @Test func podLevelUserGroupsAndSupplementalGroups() throws {
        let s = E2ESession()
        let extra = "securityContext:\n  runAsUser: 1000\n  runAsGroup: 3000\n  fsGroup: 2000\n  supplementalGroups: [4000, 5000]"
        let log = Self.logOfCompleted(s, "secoom-ids", Self.pod("secoom-ids", "id -u; id -g; id -G", podExtra: extra))
        let lines = log.split(separator: "\n").map(String.init)
        #expect(lines.count == 3, "\(log)")
        #expect(lines.first == "1000")
        #expect(lines.dropFirst().first == "3000")
        let groups = Set((lines.last ?? "").split(separator: " ").map(String.init))
        #expect(groups.isSuperset(of: ["3000", "4000", "5000", "2000"]), "\(log)")
    }

    /// A container's runAsUser wins over the pod's; a container that sets nothing gets the pod's
    /// (DetermineEffectiveSecurityContext).
    @Test func containerOverridesThePodFieldByField() throws {
        let s = E2ESession()
        let yaml = """
            apiVersion: v1
            kind: Pod
            metadata:
              name: secoom-override
            spec:
              restartPolicy: Never
              securityContext:
                runAsUser: 1000
                runAsGroup: 3000
              containers:
              - name: own
                image: \(Self.busybox)
                command: ["sh", "-c", "echo $(id -u):$(id -g)"]
                securityContext:
                  runAsUser: 2000
              - name: inherits
                image: \(Self.busybox)
                command: ["sh", "-c", "echo $(id -u):$(id -g)"]
            """
        let started = s.run(["run", "-d", "-f", s.write(yaml)])
        #expect(started.status == 0, "\(started.err)")
        #expect(s.eventually(30) { s.phase("secoom-override") == "Succeeded" })
        #expect(s.run(["logs", "secoom-override", "-c", "own"]).out == "2000:3000\n")
        #expect(s.run(["logs", "secoom-override", "-c", "inherits"]).out == "1000:3000\n")
    }

    // MARK: runAsNonRoot (security_context.go "When creating a container with runAsNonRoot")

    /// "should run with an explicit non-root user ID".
    @Test func runAsNonRootWithAnExplicitNonRootUser() throws {
        let s = E2ESession()
        let log = Self.logOfCompleted(s, "secoom-nonroot", Self.pod(
            "secoom-nonroot", "id -u", containerExtra: "securityContext:\n  runAsNonRoot: true\n  runAsUser: 1234"))
        #expect(log == "1234\n")
    }

    /// "should run with an image specified user ID".
    @Test func runAsNonRootWithTheImagesUser() throws {
        let s = E2ESession()
        let image = try Self.imageWithUser(s, uid: 1234)
        let log = Self.logOfCompleted(s, "secoom-imageuser", Self.pod(
            "secoom-imageuser", "id -u", podExtra: "securityContext:\n  runAsNonRoot: true", image: image))
        #expect(log == "1234\n")
    }

    /// "should not run with an explicit root user ID" and "should not run without a specified
    /// user ID": the container stays Waiting with CreateContainerConfigError, the kubelet's
    /// `Failed` event says why.
    @Test(arguments: [
        ("secoom-root-uid", "securityContext:\n  runAsNonRoot: true\n  runAsUser: 0", "container's runAsUser breaks non-root policy"),
        ("secoom-root-image", "securityContext:\n  runAsNonRoot: true", "container has runAsNonRoot and image will run as root"),
    ])
    func runAsNonRootRefusesRoot(name: String, context: String, message: String) throws {
        let s = E2ESession()
        let started = s.run(["run", "-d", "-f", s.write(Self.pod(name, "echo ran", containerExtra: context)), "--backoff-initial", "1s"])
        #expect(started.status == 0, "\(started.err)")
        #expect(s.eventually(20) {
            (s.containerStatus(name)?["state"] as? [String: Any])?["waiting"].flatMap { ($0 as? [String: Any])?["reason"] as? String }
                == "CreateContainerConfigError"
        }, "\(s.containerStatus(name) ?? [:])")
        let uid = ((s.pod(name)?["metadata"] as? [String: Any])?["uid"] as? String) ?? ""
        let expected = "Error: \(message) (pod: \"\(name)_default(\(uid))\", container: c)"
        #expect(s.messages(name, reason: "Failed").contains(expected), "\(s.events(name))")
        #expect(s.phase(name) == "Pending")
    }

    /// The attack: a pod that says runAsNonRoot, with an image that runs as root, never runs its
    /// command, however often it is retried; nothing counts as a restart.
    @Test func runAsNonRootNeverRunsARootImage() throws {
        let s = E2ESession()
        let marker = s.dir + "/marker"
        try FileManager.default.createDirectory(atPath: marker, withIntermediateDirectories: true)
        let yaml = Self.pod("secoom-attack", "touch /out/ran; sleep 600",
                            podExtra: "securityContext:\n  runAsNonRoot: true\nvolumes:\n- name: out\n  hostPath:\n    path: \(marker)",
                            containerExtra: "volumeMounts:\n- name: out\n  mountPath: /out", restartPolicy: "Always")
        let started = s.run(["run", "-d", "-f", s.write(yaml), "--backoff-initial", "1s"])
        #expect(started.status == 0, "\(started.err)")
        // Several retries (one a second) pass; not one gets to run the command.
        #expect(s.eventually(20) { (s.events("secoom-attack").first { $0.reason == "Failed" }?.count ?? 0) >= 3 },
                "\(s.events("secoom-attack"))")
        #expect(!FileManager.default.fileExists(atPath: marker + "/ran"))
        #expect(s.restarts("secoom-attack") == 0)
        #expect(!s.events("secoom-attack").contains { $0.reason == "Started" })
    }

    // MARK: seccompProfile

    /// The pod's seccomp profile is every container's default; a container's own profile
    /// replaces it (kuberuntime's getSeccompProfile). The pod's Localhost profile refuses mkdir.
    @Test func podSeccompProfileIsTheDefaultAContainerOverrides() throws {
        let s = E2ESession()
        let profile = #"{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO"}]}"#
        try profile.write(toFile: s.dir + "/no-mkdir.json", atomically: true, encoding: .utf8)
        let yaml = """
            apiVersion: v1
            kind: Pod
            metadata:
              name: secoom-seccomp
            spec:
              restartPolicy: Never
              securityContext:
                seccompProfile: {type: Localhost, localhostProfile: no-mkdir.json}
              containers:
              - name: pods
                image: \(Self.busybox)
                command: ["sh", "-c", "mkdir /tmp/d 2>/dev/null && echo made || echo refused"]
              - name: own
                image: \(Self.busybox)
                command: ["sh", "-c", "mkdir /tmp/d 2>/dev/null && echo made || echo refused"]
                securityContext:
                  seccompProfile: {type: RuntimeDefault}
            """
        let started = s.run(["run", "-d", "-f", s.write(yaml)])
        #expect(started.status == 0, "\(started.err)")
        #expect(s.eventually(30) { s.phase("secoom-seccomp") == "Succeeded" }, "\(s.events("secoom-seccomp"))")
        // mkdir's own complaint is sent to /dev/null: stdout and stderr are two pipes, and their
        // order in the log is not defined.
        #expect(s.run(["logs", "secoom-seccomp", "-c", "pods"]).out == "refused\n")
        #expect(s.run(["logs", "secoom-seccomp", "-c", "own"]).out == "made\n")
    }

    // MARK: sysctls (test/e2e/common/node/sysctl.go)

    /// "should support sysctls": safe sysctls are set in the pod's namespaces and read back
    /// inside; the host's values do not change.
    @Test func safeSysctlsAreSetInThePodsNamespaces() throws {
        let s = E2ESession()
        let hostRange = try String(contentsOfFile: "/proc/sys/net/ipv4/ip_local_port_range", encoding: .utf8)
        let extra = """
            securityContext:
              sysctls:
              - name: kernel.shm_rmid_forced
                value: "1"
              - name: net/ipv4/ip_local_port_range
                value: "20000 30000"
            """
        let log = Self.logOfCompleted(s, "secoom-sysctl", Self.pod(
            "secoom-sysctl", "sysctl kernel.shm_rmid_forced; sysctl net.ipv4.ip_local_port_range", podExtra: extra))
        #expect(log.contains("kernel.shm_rmid_forced = 1"), "\(log)")
        #expect(log.contains("net.ipv4.ip_local_port_range = 20000\t30000"), "\(log)")
        #expect(try String(contentsOfFile: "/proc/sys/net/ipv4/ip_local_port_range", encoding: .utf8) == hostRange)
    }

    /// "should not launch unsafe, but not explicitly enabled sysctls on the node": the kubelet's
    /// SysctlForbidden, and nothing starts.
    @Test func anUnsafeSysctlIsRefusedByName() throws {
        let s = E2ESession()
        let extra = "securityContext:\n  sysctls:\n  - name: kernel.msgmax\n    value: \"10000000\""
        let r = s.run(["run", "-d", "-f", s.write(Self.pod("secoom-unsafe", "true", podExtra: extra))])
        #expect(r.status != 0)
        #expect(r.err.contains("pod \"secoom-unsafe\": SysctlForbidden: forbidden sysctl: \"kernel.msgmax\" not allowlisted"), "\(r.err)")
        #expect(s.pod("secoom-unsafe") == nil)
    }

    // MARK: shareProcessNamespace

    /// The task page "Share Process Namespace between Containers in a Pod": a container sees the
    /// other container's process, and pid 1 is the sandbox's, not its own; orphans that pid 1
    /// inherits are reaped (no zombie stays). `$$$$` is the shell's `$$`: the kubelet's $(VAR)
    /// expansion turns `$$` into `$`.
    @Test func sharedProcessNamespace() throws {
        let s = E2ESession()
        let yaml = """
            apiVersion: v1
            kind: Pod
            metadata:
              name: secoom-sharepid
            spec:
              shareProcessNamespace: true
              containers:
              - name: nginx
                image: \(Self.busybox)
                command: ["sleep", "6001"]
              - name: shell
                image: \(Self.busybox)
                command: ["sh", "-c", "sh -c 'sleep 1 &'; for i in 1 2 3 4 5 6 7 8 9 10; do ps -o pid,args | grep -q '[s]leep 6001' && break; sleep 0.5; done; sleep 2; ps -o pid,args; grep -h '^State' /proc/[0-9]*/status; echo mypid $$$$; exec sleep 600"]
            """
        let started = s.run(["run", "-d", "-f", s.write(yaml)])
        #expect(started.status == 0, "\(started.err)")
        var log = ""
        #expect(s.eventually(30) {
            log = s.run(["logs", "secoom-sharepid", "-c", "shell"]).out
            return log.contains("mypid")
        }, "\(log)")
        let lines = log.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        #expect(lines.contains { $0.hasSuffix("sleep 6001") && !$0.hasPrefix("1 ") }, "\(log)")
        #expect(lines.contains { $0.hasPrefix("1 ") }, "pid 1 is there: \(log)")
        let shellPID = lines.first { $0.hasPrefix("mypid ") }.flatMap { Int($0.dropFirst(6)) }
        #expect(shellPID != nil && shellPID != 1, "the shell is not pid 1: \(log)")
        #expect(!log.contains("zombie"), "\(log)")
    }

    /// Without shareProcessNamespace each container has its own pid namespace: its command is
    /// pid 1 and the other container's process is not there.
    @Test func separateProcessNamespacesByDefault() throws {
        let s = E2ESession()
        let yaml = """
            apiVersion: v1
            kind: Pod
            metadata:
              name: secoom-ownpid
            spec:
              containers:
              - name: other
                image: \(Self.busybox)
                command: ["sleep", "6001"]
              - name: shell
                image: \(Self.busybox)
                command: ["sh", "-c", "sleep 2; ps -o pid,args; echo mypid $$$$; exec sleep 600"]
            """
        let started = s.run(["run", "-d", "-f", s.write(yaml)])
        #expect(started.status == 0, "\(started.err)")
        var log = ""
        #expect(s.eventually(30) {
            log = s.run(["logs", "secoom-ownpid", "-c", "shell"]).out
            return log.contains("mypid")
        }, "\(log)")
        #expect(!log.contains("sleep 6001"), "\(log)")
        #expect(log.split(separator: "\n").contains("mypid 1"), "\(log)")
    }
}
