import Foundation
import Testing

/// Pods on a real network (issue 8): swiftlet's default CNI network (bridge swiftlet0, host-local
/// on 10.85.0.0/16, portmap, firewall) with Debian's plugins from /usr/lib/cni, real containers,
/// observed as a user would. Every swiftlet and every `ip`/`iptables`/`curl` of these tests runs
/// in the session's own network namespace, and traffic goes only to pod IPs, 10.85.0.1 and
/// 127.0.0.1 in there: the machine's own network is never touched.
@Suite(.enabled(if: geteuid() == 0, "needs root: pods run real containers in network namespaces"),
       .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/lib/cni/bridge"),
                "needs Debian's containernetworking-plugins in /usr/lib/cni (make deps)"),
       .serialized)
struct NetworkE2ETests {
    typealias P = NetworkPods

    @discardableResult
    func start(_ s: E2ESession, _ yaml: String, _ extra: [String] = []) -> (status: Int32, out: String, err: String) {
        let r = s.run(["run", "-d", "-f", s.write(yaml), "--backoff-initial", "1s"] + extra)
        #expect(r.status == 0, "run failed: \(r.err)")
        return r
    }

    func delete(_ s: E2ESession, _ names: String...) {
        let r = s.run(["delete", "pod"] + names + ["--grace-period", "1"])
        #expect(r.status == 0, "delete failed: \(r.err)")
    }

    /// Nothing of any attachment is left: no kept result, no pinned netns, no lease.
    func expectNoNetworkState(_ s: E2ESession, leases: String = E2ESession.defaultLeases,
                              sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(s.entries("networks").isEmpty, "kept attachments: \(s.entries("networks"))", sourceLocation: sourceLocation)
        #expect(s.entries("netns").isEmpty, "pinned namespaces: \(s.entries("netns"))", sourceLocation: sourceLocation)
        #expect(s.leases(leases).isEmpty, "leases: \(s.leases(leases))", sourceLocation: sourceLocation)
    }

    // MARK: 1. The pod's IP

    /// An IP from 10.85/16, the one eth0 has inside, the same over three container restarts
    /// (each start writes what it sees to a host file), released on delete.
    @Test func podIPIsKeptAcrossRestartsAndReleasedOnDelete() throws {
        let s = E2ESession()
        let data = s.dir + "/data"
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
        start(s, P.pod("web", script: "ip -o -4 addr show eth0 >> /data/ips; sleep 2; exit 1", spec: """
            volumes:
            - name: data
              hostPath: {path: \(data)}
            """, container: """
            volumeMounts:
            - {name: data, mountPath: /data}
            """))
        let ip = try #require(s.podIP("web"), "status.podIP")
        #expect(ip.hasPrefix("10.85."), "\(ip) in 10.85.0.0/16")
        let ips = s.status("web")?["podIPs"] as? [[String: Any]]
        #expect(ips?.map { $0["ip"] as? String } == [ip], "status.podIPs: \(String(describing: ips))")
        let inside = s.exec("web", ["ip", "-o", "-4", "addr", "show", "eth0"])
        #expect(E2ESession.inetAddress(inside.out) == ip, "eth0 inside: \(inside.out) \(inside.err)")
        #expect(s.leaseOwner(ip) == s.sandboxID("web"), "the lease of \(ip) names the pod's sandbox")

        for restart in 1...3 {
            #expect(s.eventually(30) { s.restarts("web") >= restart }, "restart \(restart)")
            #expect(s.podIP("web") == ip, "status.podIP after restart \(restart)")
        }
        // Each of the four starts recorded eth0's address.
        #expect(s.eventually(10) {
            ((try? String(contentsOfFile: data + "/ips", encoding: .utf8)) ?? "").split(separator: "\n").count >= 4
        })
        let seen = try String(contentsOfFile: data + "/ips", encoding: .utf8).split(separator: "\n").map { E2ESession.inetAddress(String($0)) }
        #expect(seen.count >= 4 && seen.allSatisfy { $0 == ip }, "eth0 at each start: \(seen), pod IP \(ip)")

        delete(s, "web")
        #expect(!FileManager.default.fileExists(atPath: s.root + "/" + E2ESession.defaultLeases + "/" + ip), "lease of \(ip) released")
        expectNoNetworkState(s)
        #expect(!s.linkNames().contains { $0.hasPrefix("veth") }, "no veth left: \(s.linkNames())")
    }

    // MARK: 2. Connectivity

    @Test func hostPodHairpinAndHostPortTraffic() throws {
        let s = E2ESession()
        start(s, P.file([P.web("a", hostPort: 30080), P.web("b")]))
        let a = try #require(s.podIP("a"))
        let b = try #require(s.podIP("b"))
        #expect(a != b)
        #expect(s.curl("http://\(a):8080/").contains("hello-a"), "session netns → a")
        #expect(s.curl("http://\(b):8080/").contains("hello-b"), "session netns → b")
        #expect(s.httpFromPod("b", a, 8080).contains("hello-a"), "b → a")
        #expect(s.httpFromPod("a", a, 8080).contains("hello-a"), "a → its own IP")
        #expect(s.httpFromPod("a", "10.85.0.1", 30080).contains("hello-a"), "a → its own hostPort (hairpin)")
        #expect(s.httpFromPod("b", "10.85.0.1", 30080).contains("hello-a"), "b → a's hostPort")
        #expect(s.curl("http://127.0.0.1:30080/").contains("hello-a"), "session netns → 127.0.0.1:hostPort")
        #expect(s.curl("http://10.85.0.1:30080/").contains("hello-a"), "session netns → 10.85.0.1:hostPort")

        let networksBefore = s.entries("networks")
        let leasesBefore = s.leases()
        let refused = s.run(["run", "-d", "-f", s.write(P.web("c", hostPort: 30080)), "--backoff-initial", "1s"])
        #expect(refused.status != 0, "a second pod on hostPort 30080 is refused")
        #expect(refused.err.contains("pod \"c\"") && refused.err.contains("hostPort") && refused.err.contains("pod \"a\""),
                "stderr: \(refused.err)")
        #expect(!FileManager.default.fileExists(atPath: s.root + "/pods/c"), "nothing of c")
        #expect(s.entries("networks") == networksBefore, "no attachment for c")
        #expect(s.leases() == leasesBefore, "no lease for c")
        #expect(s.curl("http://127.0.0.1:30080/").contains("hello-a"), "the port is still a's")
        delete(s, "a", "b")
        expectNoNetworkState(s)
    }

    /// cni.md pitfall 8: with the FORWARD policy DROP (and br_netfilter), the firewall plugin's
    /// CNI-FORWARD accepts keep pod traffic flowing. The policy is set in the session namespace only.
    @Test func podTrafficSurvivesAForwardPolicyOfDrop() throws {
        let s = E2ESession()
        let policy = s.inNetns(["iptables", "-P", "FORWARD", "DROP"])
        try #require(policy.status == 0, "iptables -P FORWARD DROP in the session netns: \(policy.out)")
        start(s, P.file([P.web("a", hostPort: 30082), P.web("b")]))
        let a = try #require(s.podIP("a"))
        #expect(s.iptablesRules().contains(":FORWARD DROP"))
        #expect(s.curl("http://\(a):8080/").contains("hello-a"), "session netns → a")
        #expect(s.httpFromPod("b", a, 8080).contains("hello-a"), "b → a")
        #expect(s.httpFromPod("b", "10.85.0.1", 30082).contains("hello-a"), "b → a's hostPort")
        #expect(s.httpFromPod("a", "10.85.0.1", 30082).contains("hello-a"), "a → its own hostPort")
        delete(s, "a", "b")
        expectNoNetworkState(s)
    }

    /// cni.md §8: when the sandbox (pause) dies, the kubelet makes a new sandbox with a new ID;
    /// the old attachment is DELeted (no lease, pin, kept result or rule of the old ID left)
    /// and the pod serves again at its new IP.
    @Test func deadSandboxIsReplacedAndItsNetworkReleased() throws {
        let s = E2ESession()
        start(s, P.web("web", hostPort: 30083))
        let oldIP = try #require(s.podIP("web"))
        let oldID = try #require(s.sandboxID("web"))
        let pause = try #require(s.record("web")?["sandboxPID"] as? Int)
        #expect(kill(pid_t(pause), SIGKILL) == 0)
        #expect(s.eventually(20) { (s.sandboxID("web") ?? oldID) != oldID && s.podIP("web") != nil }, "a new sandbox")
        let newID = try #require(s.sandboxID("web"))
        let newIP = try #require(s.podIP("web"))
        #expect(s.eventually(10) { s.curl("http://\(newIP):8080/").contains("hello-web") }, "serving at \(newIP)")
        #expect(s.curl("http://127.0.0.1:30083/").contains("hello-web"), "the hostPort follows the new sandbox")
        #expect(s.entries("networks") == [newID + ".json"], "\(s.entries("networks"))")
        #expect(s.entries("netns") == [newID], "\(s.entries("netns"))")
        #expect(s.leases() == [newIP], "only the new sandbox's lease: \(s.leases()) (old \(oldIP))")
        let rules = s.iptablesRules()
        #expect(!rules.contains(oldID), "rules of the old sandbox left:\n\(rules)")
        #expect(s.messages("web", reason: "SandboxChanged").count == 1, "\(s.events("web"))")
        #expect(s.linkNames().filter { $0.hasPrefix("veth") }.count == 1, "\(s.linkNames())")
        delete(s, "web")
        expectNoNetworkState(s)
        #expect(!s.iptablesRules().contains("CNI-DN-"), "no portmap chain left")
    }

    // MARK: 3. Many cycles on a small range

    /// 20 rounds of 10 pods created and deleted (200 cycles) on a /28 (13 addresses): a leaked
    /// lease would run the range dry in the second round. Afterwards the namespace's rules and
    /// links and swiftlet's pins and kept results are what they were after one warm-up pod.
    @Test func twoHundredCyclesOnASlash28LeaveNothingBehind() throws {
        let s = E2ESession()
        let cidr = ["--pod-cidr", "10.85.0.0/28"]
        // Each pod holds a hostPort, so portmap adds (and must remove) its DNAT chain too.
        func pod(_ name: String, _ port: Int) -> String {
            P.pod(name, script: P.onTerm("sleep 600"), container: "ports:\n- {containerPort: 8080, hostPort: \(port)}")
        }
        let warmup = s.write(pod("warmup", 31000))
        #expect(s.run(["run", "-d", "-f", warmup] + cidr).status == 0)
        delete(s, "warmup")
        let rules = s.iptablesRules()
        let links = s.linkNames()
        let pins = s.entries("netns")
        let kept = s.entries("networks")
        #expect(rules.contains("CNI-HOSTPORT-DNAT") && rules.contains("CNI-FORWARD"), "the chains portmap and firewall keep: \(rules)")
        #expect(!rules.contains("CNI-DN-") && !rules.contains("comment \"name: "), "per-pod rules left after the warm-up: \(rules)")

        let file = s.write(P.file((0..<10).map { pod("p\($0)", 31000 + $0) }))
        let started = Date()
        for round in 1...20 {
            let r = s.run(["run", "-d", "-f", file] + cidr)
            #expect(r.status == 0, "round \(round): \(r.err)")
            if r.status != 0 { break }
            let ips = (0..<10).compactMap { s.podIP("p\($0)") }
            #expect(Set(ips).count == 10 && ips.allSatisfy { $0.hasPrefix("10.85.0.") }, "round \(round): \(ips)")
            let d = s.run(["delete", "pods", "--all", "--grace-period", "1"])
            #expect(d.status == 0, "round \(round) delete: \(d.err)")
            #expect(s.leases().isEmpty, "round \(round): leases left \(s.leases())")
        }
        print("200 create/delete cycles took \(Int(Date().timeIntervalSince(started))) s")
        let log = (try? String(contentsOfFile: s.root + "/supervisor.log", encoding: .utf8)) ?? ""
        #expect(!log.contains("no IP addresses available"), "an address error in supervisor.log")
        #expect(s.iptablesRules() == rules, "iptables-save differs")
        #expect(s.linkNames() == links, "links differ")
        #expect(s.entries("netns") == pins)
        #expect(s.entries("networks") == kept)
        expectNoNetworkState(s)
    }

    // MARK: 4. A supervisor killed with SIGKILL

    @Test func deleteAfterSupervisorSIGKILLAndStartupReconcileReleaseEverything() throws {
        let s = E2ESession()
        start(s, P.file([P.web("a", hostPort: 30081), P.sleeper("b")]))
        let ipA = try #require(s.podIP("a"))
        let ipB = try #require(s.podIP("b"))
        let idA = try #require(s.sandboxID("a"))
        let idB = try #require(s.sandboxID("b"))
        #expect(s.entries("networks") == [idA + ".json", idB + ".json"].sorted())
        #expect(s.entries("netns") == [idA, idB].sorted())
        #expect(s.iptablesRules().contains(idA), "a's rules name its sandbox")

        let pid = try #require(s.record("a")?["supervisorPID"] as? Int)
        #expect(kill(pid_t(pid), SIGKILL) == 0)
        #expect(s.eventually(15) { s.phase("a") == "Unknown" && s.phase("b") == "Unknown" }, "pods Unknown once the supervisor is gone")

        delete(s, "a")
        #expect(!s.leases().contains(ipA), "a's lease released: \(s.leases())")
        #expect(!s.entries("networks").contains(idA + ".json"), "a's attachment gone")
        #expect(!s.entries("netns").contains(idA), "a's pin gone")
        let rules = s.iptablesRules()
        #expect(!rules.contains(idA) && !rules.contains(ipA + "/") && !rules.contains(ipA + ":"), "a's rules left:\n\(rules)")
        #expect(s.curl("http://127.0.0.1:30081/").isEmpty, "a's hostPort no longer answers")
        #expect(s.leases() == [ipB], "b untouched")
        #expect(s.linkNames().filter { $0.hasPrefix("veth") }.count == 1, "a's veth gone, b's kept: \(s.linkNames())")

        // b's state is lost (its processes go with it), as if its pod directory had vanished.
        s.killRecordedProcesses("b")
        try FileManager.default.removeItem(atPath: s.root + "/pods/b")
        start(s, P.sleeper("c"))
        let ipC = try #require(s.podIP("c"))
        let idC = try #require(s.sandboxID("c"))
        #expect(s.eventually(10) { s.entries("networks") == [idC + ".json"] }, "b's attachment DELeted at start-up: \(s.entries("networks"))")
        #expect(s.entries("netns") == [idC], "b's pin gone: \(s.entries("netns"))")
        #expect(s.leases() == [ipC], "b's lease released: \(s.leases())")
        #expect(!s.iptablesRules().contains(idB), "b's rules gone")
        #expect(s.eventually(5) { s.linkNames().filter { $0.hasPrefix("veth") }.count == 1 }, "b's veth gone: \(s.linkNames())")
        delete(s, "c")
        expectNoNetworkState(s)
    }

    // MARK: 5. Bad networks

    /// `run -d` of pod "web" fails with a sentence containing each of `expected`, and nothing of
    /// the pod or its network is left.
    func expectRefused(_ s: E2ESession, _ args: [String], yaml: String = P.sleeper("web"), _ expected: [String],
                       within seconds: Double = 30, leases: String = E2ESession.defaultLeases,
                       sourceLocation: SourceLocation = #_sourceLocation) {
        let began = Date()
        let r = s.run(["run", "-d", "-f", s.write(yaml)] + args, timeout: 60)
        let took = Date().timeIntervalSince(began)
        #expect(r.status != 0 && r.status != -1, "run should fail: \(r.status) \(r.out)", sourceLocation: sourceLocation)
        #expect(took < seconds, "took \(took) s", sourceLocation: sourceLocation)
        for text in expected {
            #expect(r.err.contains(text), "stderr lacks \(text):\n\(r.err)", sourceLocation: sourceLocation)
        }
        #expect(s.entries("pods").isEmpty, "pods left: \(s.entries("pods"))", sourceLocation: sourceLocation)
        expectNoNetworkState(s, leases: leases, sourceLocation: sourceLocation)
        #expect(!s.linkNames().contains { $0.hasPrefix("veth") }, "veth left: \(s.linkNames())", sourceLocation: sourceLocation)
    }

    /// A fake CNI plugin: `add` is the shell for ADD; DEL succeeds; VERSION answers.
    func fakePlugin(_ s: E2ESession, _ type: String, add: String) -> String {
        let bin = s.dir + "/bin"
        _ = s.script(bin + "/" + type, """
            #!/bin/sh
            case "$CNI_COMMAND" in
            ADD) \(add) ;;
            VERSION) echo '{"cniVersion":"1.0.0","supportedVersions":["0.4.0","1.0.0"]}' ;;
            *) exit 0 ;;
            esac

            """)
        return bin
    }

    /// A conf dir of the test holding one conflist.
    func confDir(_ s: E2ESession, _ name: String, _ text: String) -> String {
        let dir = s.dir + "/conf-" + UUID().uuidString.prefix(6)
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try? text.write(toFile: dir + "/" + name, atomically: true, encoding: .utf8)
        return dir
    }

    @Test func malformedConflistIsRefusedNamingTheFile() {
        let s = E2ESession()
        let dir = confDir(s, "10-bad.conflist", "{\"cniVersion\": \"1.0.0\", \"name\": \"bad\", \"plugins\": [")
        expectRefused(s, ["--cni-conf-dir", dir], [dir + "/10-bad.conflist", "invalid CNI network configuration"])
    }

    @Test func missingPluginIsRefusedNamingThePluginAndTheBinDirs() {
        let s = E2ESession()
        let dir = confDir(s, "10-nosuch.conflist", """
            {"cniVersion": "1.0.0", "name": "nosuchnet", "plugins": [{"type": "nosuch"}]}
            """)
        let bin = s.dir + "/emptybin"
        try? FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
        expectRefused(s, ["--cni-conf-dir", dir, "--cni-bin-dir", bin, "--cni-bin-dir", "/usr/lib/cni"],
                      ["pod \"web\"", "nosuchnet", "\"nosuch\"", bin, "/usr/lib/cni"])
    }

    /// bridge (with host-local) succeeds, then the next plugin fails with code 11: the error
    /// reaches the user as one sentence and the DEL after the failed ADD releases bridge's lease.
    @Test func failingPluginIsReportedAndItsChainUndone() {
        let s = E2ESession()
        let bin = fakePlugin(s, "failer", add: """
            echo '{"cniVersion":"1.0.0","code":11,"msg":"no IP addresses available in range set"}'; exit 1
            """)
        let dir = confDir(s, "10-failnet.conflist", """
            {"cniVersion": "1.0.0", "name": "failnet", "plugins": [
              {"type": "bridge", "bridge": "swiftlet9", "isGateway": true,
               "ipam": {"type": "host-local", "ranges": [[{"subnet": "10.85.9.0/24"}]], "dataDir": "\(s.root)/cni/ipam"}},
              {"type": "failer"}]}
            """)
        expectRefused(s, ["--cni-conf-dir", dir, "--cni-bin-dir", bin, "--cni-bin-dir", "/usr/lib/cni"],
                      ["pod \"web\": network \"failnet\": plugin failer: no IP addresses available in range set (code 11)"],
                      leases: "cni/ipam/failnet")
        // bridge's ADD did run (its bridge stays, as plugins leave bridges): the DEL gave its lease back.
        #expect(s.linkNames().contains("swiftlet9"), "\(s.linkNames())")
        #expect(FileManager.default.fileExists(atPath: s.root + "/cni/ipam/failnet"), "host-local allocated")
    }

    @Test func hangingPluginTimesOut() {
        let s = E2ESession()
        let bin = fakePlugin(s, "hanger", add: "exec sleep 30")
        let dir = confDir(s, "10-hangnet.conflist", """
            {"cniVersion": "1.0.0", "name": "hangnet", "plugins": [{"type": "hanger"}]}
            """)
        expectRefused(s, ["--cni-conf-dir", dir, "--cni-bin-dir", bin, "--cni-bin-dir", "/usr/lib/cni", "--cni-timeout", "2s"],
                      ["pod \"web\"", "network \"hangnet\"", "hanger", "timed out after 2s"], within: 10)
    }

    /// A /30 has one address for pods (.1 is the gateway, .3 broadcast): a file with two pods is
    /// refused as a whole, the other pod's address given back. The two pods' ADDs run
    /// concurrently, so either may be the one that finds the range empty. host-local's message
    /// comes wrapped by bridge, which reports it with skel's generic code 999, not 11.
    @Test func exhaustedRangeRefusesTheWholeFile() {
        let s = E2ESession()
        let r = s.run(["run", "-d", "-f", s.write(P.file([P.sleeper("first"), P.sleeper("second")])), "--pod-cidr", "10.85.0.0/30"])
        #expect(r.status != 0 && r.status != -1, "run should fail: \(r.status) \(r.out)")
        #expect(r.err.contains("pod \"first\": network \"swiftlet\": plugin bridge: ")
                || r.err.contains("pod \"second\": network \"swiftlet\": plugin bridge: "), "\(r.err)")
        #expect(r.err.contains("no IP addresses available in range set: 10.85.0.1-10.85.0.2 (code"), "\(r.err)")
        #expect(s.entries("pods").isEmpty, "pods left: \(s.entries("pods"))")
        expectNoNetworkState(s)
        #expect(!s.linkNames().contains { $0.hasPrefix("veth") }, "veth left: \(s.linkNames())")
        // The address is free again: one pod fits.
        start(s, P.sleeper("alone"), ["--pod-cidr", "10.85.0.0/30"])
        #expect(s.podIP("alone") == "10.85.0.2")
        delete(s, "alone")
        expectNoNetworkState(s)
    }

    // MARK: 6. Name resolution

    static let localhostLines = """
        # Kubernetes-managed hosts file.
        127.0.0.1\tlocalhost
        ::1\tlocalhost ip6-localhost ip6-loopback
        fe00::0\tip6-localnet
        fe00::0\tip6-mcastprefix
        fe00::1\tip6-allnodes
        fe00::2\tip6-allrouters

        """

    /// The host's resolver settings as containerd writes them (search, nameservers, options).
    static func hostResolvConf() -> String {
        let text = (try? String(contentsOfFile: "/etc/resolv.conf", encoding: .utf8)) ?? ""
        var nameservers: [String] = [], searches: [String] = [], options: [String] = []
        for line in text.split(separator: "\n") {
            let f = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            guard let key = f.first else { continue }
            switch key {
            case "nameserver" where f.count > 1: nameservers.append(f[1])
            case "search", "domain": searches = Array(f.dropFirst())
            case "options": options += f.dropFirst()
            default: break
            }
        }
        return (searches.isEmpty ? "" : "search " + searches.joined(separator: " ") + "\n")
            + nameservers.prefix(3).map { "nameserver \($0)\n" }.joined()
            + (options.isEmpty ? "" : "options " + options.joined(separator: " ") + "\n")
    }

    static func hostNameservers() -> [String] {
        Self.hostResolvConf().split(separator: "\n").filter { $0.hasPrefix("nameserver ") }.map { String($0.dropFirst(11)) }
    }

    @Test func etcHostsAndResolvConfAsTheKubeletWritesThem() throws {
        let s = E2ESession()
        let ownHosts = s.dir + "/own-hosts"
        try "10.9.9.9\tmine\n".write(toFile: ownHosts, atomically: true, encoding: .utf8)
        let web = P.web("web", spec: """
            hostAliases:
            - ip: 10.1.2.3
              hostnames: [foo, bar]
            - ip: 10.1.2.4
              hostnames: [baz]
            """)
        let h1 = P.sleeper("named").replacingOccurrences(of: "spec:\n", with: "spec:\n  hostname: h1\n  subdomain: sub\n")
        let none = P.sleeper("dns-none").replacingOccurrences(of: "spec:\n", with: """
            spec:
              dnsPolicy: None
              dnsConfig:
                nameservers: [1.2.3.4]
                searches: [a.example]
                options:
                - {name: ndots, value: "2"}

            """)
        let own = """
            apiVersion: v1
            kind: Pod
            metadata:
              name: own-hosts
            spec:
              terminationGracePeriodSeconds: 1
              volumes:
              - name: hosts
                hostPath: {path: \(ownHosts)}
              containers:
              - name: mounts
                image: \(E2ESession.busybox)
                command: ["sh", "-c", "\(P.onTerm("sleep 600"))"]
                volumeMounts:
                - {name: hosts, mountPath: /etc/hosts}
              - name: plain
                image: \(E2ESession.busybox)
                command: ["sh", "-c", "\(P.onTerm("sleep 600"))"]

            """
        // Default + dnsConfig: the host's nameservers, then the pod's, cut to the kubelet's three.
        let limits = P.sleeper("dns-limits").replacingOccurrences(of: "spec:\n", with: """
            spec:
              dnsPolicy: Default
              dnsConfig:
                nameservers: [1.1.1.1, 2.2.2.2, 3.3.3.3]

            """)
        start(s, P.file([web, h1, none, own, limits]))

        let ip = try #require(s.podIP("web"))
        #expect(s.exec("web", ["cat", "/etc/hosts"]).out == Self.localhostLines + "\(ip)\tweb\n"
                + "\n# Entries added by HostAliases.\n10.1.2.3\tfoo\tbar\n10.1.2.4\tbaz\n")
        #expect(s.exec("web", ["hostname"]).out == "web\n")
        #expect(s.exec("web", ["cat", "/etc/resolv.conf"]).out == Self.hostResolvConf(), "ClusterFirst falls back to the host's file")

        let ipH1 = try #require(s.podIP("named"))
        #expect(s.exec("named", ["cat", "/etc/hosts"]).out == Self.localhostLines + "\(ipH1)\th1.sub.default.svc.cluster.local\th1\n")
        #expect(s.exec("named", ["hostname"]).out == "h1\n")

        #expect(s.exec("dns-none", ["cat", "/etc/resolv.conf"]).out == "search a.example\nnameserver 1.2.3.4\noptions ndots:2\n")
        #expect(s.messages("dns-none", reason: "MissingClusterDNS").isEmpty)

        var servers: [String] = []
        for n in Self.hostNameservers() + ["1.1.1.1", "2.2.2.2", "3.3.3.3"] where !servers.contains(n) { servers.append(n) }
        let limited = s.exec("dns-limits", ["cat", "/etc/resolv.conf"]).out
        #expect(limited.split(separator: "\n").filter { $0.hasPrefix("nameserver ") } == servers.prefix(3).map { "nameserver \($0)"[...] },
                "\(limited)")
        let forming = s.messages("dns-limits", reason: "DNSConfigForming")
        if servers.count > 3 {
            #expect(forming == ["Nameserver limits were exceeded, some nameservers have been omitted, the applied nameserver line is: "
                                + servers.prefix(3).joined(separator: " ")], "\(s.events("dns-limits"))")
        } else {
            #expect(forming.isEmpty)
        }
        #expect(s.messages("dns-limits", reason: "MissingClusterDNS").isEmpty, "Default is not ClusterFirst")

        let ipOwn = try #require(s.podIP("own-hosts"))
        #expect(s.exec("own-hosts", ["cat", "/etc/hosts"], container: "mounts").out == "10.9.9.9\tmine\n", "its own /etc/hosts")
        #expect(s.exec("own-hosts", ["cat", "/etc/hosts"], container: "plain").out == Self.localhostLines + "\(ipOwn)\town-hosts\n")
        #expect(try String(contentsOfFile: ownHosts, encoding: .utf8) == "10.9.9.9\tmine\n", "the mounted file is not rewritten")
    }

    /// cni.md §10: ClusterFirst without cluster DNS falls back to Default *with a
    /// MissingClusterDNS warning* (k8s dns.go). Commit a5cf85e chose to leave that event out
    /// (swiftlet never has cluster DNS); this test holds the spec's line until that is settled.
    /// The kubelet warns MissingClusterDNS when ClusterFirst falls back to Default. swiftlet never
    /// has cluster DNS, so that fallback is its normal case: our decision is no warning on every
    /// pod, and the host's file.
    @Test func clusterFirstWithoutClusterDNSFallsBackQuietly() throws {
        let s = E2ESession()
        start(s, P.sleeper("web"))
        #expect(s.events("web").filter { $0.type == "Warning" }.isEmpty, "\(s.events("web"))")
        #expect(s.exec("web", ["cat", "/etc/resolv.conf"]).out == Self.hostResolvConf())
    }

    // MARK: 7. hostNetwork

    @Test func hostNetworkPodSharesTheSessionNamespace() throws {
        let s = E2ESession()
        // This kernel has no dummy driver: a veth pair, both ends in the session namespace, gives
        // it an interface with an address (198.51.100.0/24 is TEST-NET-2, far from the VM's own subnet).
        for command in [["ip", "link", "add", "dummy0", "type", "veth", "peer", "name", "dummy0p"],
                        ["ip", "addr", "add", "198.51.100.10/24", "dev", "dummy0"],
                        ["ip", "link", "set", "dummy0p", "up"], ["ip", "link", "set", "dummy0", "up"]] {
            let r = s.inNetns(command)
            #expect(r.status == 0, "\(command): \(r.out)")
        }
        start(s, P.web("hostnet", spec: "hostNetwork: true", container: """
            livenessProbe:
              tcpSocket: {port: 8080}
              periodSeconds: 1
              failureThreshold: 1
            """))
        let status = try #require(s.status("hostnet"))
        #expect(status["podIP"] as? String == "198.51.100.10", "\(status)")
        #expect(status["hostIP"] as? String == "198.51.100.10", "\(status)")
        #expect((status["podIPs"] as? [[String: Any]])?.compactMap { $0["ip"] as? String } == ["198.51.100.10"])
        #expect(s.exec("hostnet", ["ip", "-o", "link"]).out.contains("dummy0"), "sees the session's interfaces")
        let hosts = s.exec("hostnet", ["cat", "/etc/hosts"]).out
        let nodeHosts = try String(contentsOfFile: "/etc/hosts", encoding: .utf8)
        #expect(hosts == "# Kubernetes-managed hosts file (host network).\n" + nodeHosts, "\(hosts)")
        #expect(s.exec("hostnet", ["hostname"]).out == E2ESession.shell(["hostname"]).out, "the node's hostname")
        #expect(s.entries("networks").isEmpty && s.entries("netns").isEmpty && s.leases().isEmpty, "no CNI for hostNetwork")
        #expect(s.curl("http://198.51.100.10:8080/").contains("hello-"), "httpd on the session namespace's address")
        #expect(s.throughout(5) { s.restarts("hostnet") == 0 }, "tcpSocket liveness at the node IP passes")
        #expect(s.messages("hostnet", reason: "Unhealthy").isEmpty, "\(s.messages("hostnet", reason: "Unhealthy"))")
        delete(s, "hostnet")
        #expect(s.curl("http://198.51.100.10:8080/").isEmpty, "httpd gone with the pod")
    }

    // MARK: 8. Probes at the pod IP

    static let loopbackWeb = "echo ok > /tmp/index.html; " + P.onTerm("httpd -f -p 127.0.0.1:8080 -h /tmp")

    static func loopbackProbe(host: String?) -> String {
        """
        livenessProbe:
          httpGet: {\(host.map { "host: \($0), " } ?? "")path: /, port: 8080}
          periodSeconds: 1
          failureThreshold: 2
        """
    }

    /// The kubelet probes the pod IP: an app on 127.0.0.1 only fails. With `host: 127.0.0.1`
    /// swiftlet dials the pod's own loopback (probes are dialed inside the pod's netns): passes.
    @Test func probesAimAtThePodIP() throws {
        let s = E2ESession()
        start(s, P.file([P.pod("lo-only", script: Self.loopbackWeb, container: Self.loopbackProbe(host: nil)),
                         P.pod("lo-host", script: Self.loopbackWeb, container: Self.loopbackProbe(host: "127.0.0.1"))]))
        let ip = try #require(s.podIP("lo-only"))
        #expect(s.throughout(6) { s.restarts("lo-host") == 0 }, "host: 127.0.0.1 reaches the pod's loopback")
        // The first probe may come before httpd listens (no initial delay; seen under load): one
        // failure, under the threshold of 2. Every later probe passes.
        let early = s.messages("lo-host", reason: "Unhealthy")
        #expect(early.count <= 1 && early.allSatisfy { $0.contains("connection refused") }, "\(early)")
        #expect(s.eventually(20) { s.restarts("lo-only") >= 1 }, "the loopback-only app is restarted")
        let unhealthy = s.messages("lo-only", reason: "Unhealthy")
        #expect(unhealthy.contains("Liveness probe failed: Get \"http://\(ip):8080/\": dial tcp \(ip):8080: connect: connection refused"),
                "\(unhealthy)")
        #expect(s.podIP("lo-only") == ip, "same IP after the restart")
    }

    @Test func withoutANetworkProbesStayOnLoopback() throws {
        let s = E2ESession()
        start(s, P.pod("lo-only", script: Self.loopbackWeb, container: Self.loopbackProbe(host: nil)), ["--network", "none"])
        let status = try #require(s.status("lo-only"))
        #expect(status["podIP"] == nil && status["podIPs"] == nil, "no pod IP: \(status)")
        #expect(s.throughout(6) { s.restarts("lo-only") == 0 }, "probes at 127.0.0.1 pass")
        #expect(s.messages("lo-only", reason: "Unhealthy").isEmpty)
        #expect(s.entries("networks").isEmpty && s.entries("netns").isEmpty && s.leases().isEmpty)
    }
}
