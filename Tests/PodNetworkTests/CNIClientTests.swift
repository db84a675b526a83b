import Foundation
import Glibc
import Testing
@testable import PodNetwork

/// Debian's plugins (bridge + host-local, portmap, firewall) for real, every one of them run in a
/// network namespace the test makes (CNILab): the machine's own network is never touched.
@Suite(
    "CNI client with Debian's plugins",
    .enabled(if: CNIHost.isRoot, "needs root (network namespaces, bridges, iptables)"),
    .enabled(if: CNIHost.hasDebianPlugins, "needs Debian's containernetworking-plugins in /usr/lib/cni (apt-get install containernetworking-plugins)"),
    .enabled(if: CNIHost.hasTools, "needs ip, iptables-save, nsenter, unshare and python3")
)
struct CNIClientTests {
    /// The body at `url`, fetched from the netns `name` ("" on any failure; 2 s at most). Python's
    /// urllib, as busybox wget crashes on this machine.
    func httpGet(in name: String, _ url: String) -> String {
        let script = "import sys, urllib.request as u; sys.stdout.write(u.urlopen(sys.argv[1], timeout=2).read().decode())"
        let result = run(["/usr/sbin/ip", "netns", "exec", name, "/usr/bin/python3", "-c", script, url], timeout: 5)
        return result.status == 0 ? result.output : ""
    }

    /// The IPv4 addresses of eth0 in a pod netns.
    func eth0Addresses(_ lab: CNILab, pod: String) -> String {
        run(["/usr/sbin/ip", "-n", pod, "-o", "-4", "addr", "show", "dev", "eth0"]).output
    }

    @Test func addGivesEth0AnAddressAndDelLeavesWhatItFound() throws {
        try withLab { lab in
            let client = lab.client()
            let network = try lab.network()
            // A first pod makes what stays: the bridge and the chains shared by every pod.
            let warmPod = try lab.makePod("warm")
            try client.del(try client.add(lab.request("warm", netns: "/run/netns/\(warmPod)"), network: network))
            let links = lab.links(), rules = lab.cniRules()
            #expect(links.contains("swiftlet0"))
            #expect(lab.leases().isEmpty)

            let pod = try lab.makePod("web")
            let request = lab.request("web", netns: "/run/netns/\(pod)")
            let attachment = try client.add(request, network: network)
            let ip = try #require(attachment.podIPs.first)
            #expect(ip.hasPrefix("10.85.0."))
            #expect(eth0Addresses(lab, pod: pod).contains(" inet \(ip)/24 "))
            let kept = try #require(lab.store.load(sandboxID: request.sandboxID))
            #expect(kept.result == attachment.result && kept.result != nil)
            #expect(kept.podIPs == [ip])
            #expect(lab.leases() == [ip])
            #expect(lab.links().count == links.count + 1, "the pod's veth")
            let podRules = lab.cniRules().filter { !rules.contains($0) }
            #expect(podRules.contains { $0.contains(request.sandboxID) }, "ipMasq's per-pod chain")
            #expect(podRules.contains { $0.contains("CNI-FORWARD") && $0.contains("\(ip)/32") }, "firewall's accept rules")

            try client.del(attachment)
            #expect(lab.links() == links)
            #expect(lab.cniRules() == rules)
            #expect(lab.leases().isEmpty)
            #expect(lab.store.load(sandboxID: request.sandboxID) == nil)
            try client.del(attachment)   // twice: fine
            #expect(lab.cniRules() == rules)
        }
    }

    @Test func aPinnedNetnsOutlivesItsProcessAndDelAfterItIsGoneReleasesTheLease() throws {
        try withLab { lab in
            let sleeper = try lab.start(["/usr/bin/unshare", "--net", "/bin/sleep", "1000"])
            // unshare execs sleep once the namespace is made.
            var own = stat(), theirs = stat()
            stat("/proc/self/ns/net", &own)
            let deadline = Date().addingTimeInterval(5)
            while Date() < deadline, stat("/proc/\(sleeper.processIdentifier)/ns/net", &theirs) == 0, theirs.st_ino == own.st_ino { usleep(10_000) }
            let path = try lab.pin(pid: sleeper.processIdentifier, name: "pod1")
            #expect(NetnsPin.isPinned(path))
            #expect(!NetnsPin.isPinned(lab.dir), "a directory is no netns")
            #expect { try NetnsPin.pin(pid: sleeper.processIdentifier, at: path) } throws: { "\($0)".contains("File exists") }

            let client = lab.client()
            let attachment = try client.add(lab.request("pinned", netns: path), network: try lab.network())
            let ip = try #require(attachment.podIPs.first)
            kill(sleeper.processIdentifier, SIGKILL)
            sleeper.waitUntilExit()
            let inside = run(["/usr/bin/nsenter", "--net=\(path)", "/usr/sbin/ip", "-o", "-4", "addr", "show", "dev", "eth0"]).output
            #expect(inside.contains(" inet \(ip)/24 "), "the pin keeps the namespace and its address")

            NetnsPin.unpin(path)
            NetnsPin.unpin(path)   // missing is fine
            #expect(!NetnsPin.isPinned(path))
            #expect(!FileManager.default.fileExists(atPath: path))
            try client.del(attachment)   // CNI_NETNS=""
            #expect(lab.leases().isEmpty)
            // Pitfall 1 (cni.md §12): bridge 1.1.1 skips its ipMasq teardown when CNI_NETNS is "",
            // so the per-pod CNI-… nat chain stays. Callers must DEL before they unpin.
            let leftover = lab.cniRules().filter { $0.contains(attachment.sandboxID) }
            withKnownIssue("bridge 1.1.1 leaks ipMasq rules on a DEL without netns (containernetworking/plugins#810)") {
                #expect(leftover.isEmpty)
            }
            #expect(lab.store.all().isEmpty)
        }
    }

    @Test func twoPodsReachEachOther() throws {
        try withLab { lab in
            let client = lab.client()
            let network = try lab.network()
            let podA = try lab.makePod("a"), podB = try lab.makePod("b")
            let a = try client.add(lab.request("a", netns: "/run/netns/\(podA)"), network: network)
            let b = try client.add(lab.request("b", netns: "/run/netns/\(podB)"), network: network)
            let ipA = try #require(a.podIPs.first), ipB = try #require(b.podIPs.first)
            #expect(ipA != ipB)
            let www = lab.dir + "/www"
            try FileManager.default.createDirectory(atPath: www, withIntermediateDirectories: true)
            write("hello from a\n", to: www + "/hello.txt")
            _ = try lab.start(["/usr/sbin/ip", "netns", "exec", podA, "/usr/bin/python3", "-m", "http.server", "8080", "--bind", ipA], directory: www)
            var body = ""
            let deadline = Date().addingTimeInterval(10)
            while Date() < deadline {
                body = httpGet(in: podB, "http://\(ipA):8080/hello.txt")
                if body == "hello from a\n" { break }
                usleep(100_000)
            }
            #expect(body == "hello from a\n")
            #expect(run(["/usr/sbin/ip", "netns", "exec", podA, "/usr/bin/busybox", "ping", "-c", "1", "-W", "2", ipB], timeout: 5).status == 0)
            try client.del(a)
            try client.del(b)
            #expect(lab.leases().isEmpty)
        }
    }

    @Test func portMappingsMakeADNATChainThatDelRemoves() throws {
        try withLab { lab in
            let client = lab.client()
            let pod = try lab.makePod("pm")
            let request = lab.request("pm", netns: "/run/netns/\(pod)", ports: [PortMapping(hostPort: 18080, containerPort: 8080)])
            let attachment = try client.add(request, network: try lab.network())
            let ip = try #require(attachment.podIPs.first)
            let dn = lab.cniRules().filter { $0.contains("CNI-DN-") }
            #expect(dn.contains { $0.contains("--dport 18080") && $0.contains("--to-destination \(ip):8080") })

            // Through the hostPort on the bridge's address, from the plugin ("host") netns.
            let www = lab.dir + "/www"
            try FileManager.default.createDirectory(atPath: www, withIntermediateDirectories: true)
            write("mapped\n", to: www + "/m.txt")
            _ = try lab.start(["/usr/sbin/ip", "netns", "exec", pod, "/usr/bin/python3", "-m", "http.server", "8080", "--bind", ip], directory: www)
            var body = ""
            let deadline = Date().addingTimeInterval(10)
            while Date() < deadline, body != "mapped\n" {
                body = httpGet(in: lab.pluginNetnsName, "http://10.85.0.1:18080/m.txt")
                if body != "mapped\n" { usleep(100_000) }
            }
            #expect(body == "mapped\n")

            try client.del(attachment)
            #expect(lab.cniRules().filter { $0.contains("CNI-DN-") }.isEmpty)
            #expect(lab.leases().isEmpty)
        }
    }

    @Test func anExhaustedRangeFailsNamingPodNetworkAndPluginAndLeavesNothing() throws {
        try withLab { lab in
            let client = lab.client()
            let network = try lab.network("10.85.0.0/30")   // one pod: .2
            let first = try client.add(lab.request("a", netns: "/run/netns/\(try lab.makePod("a"))"), network: network)
            let links = lab.links(), rules = lab.cniRules(), leases = lab.leases()
            let request = lab.request("b", netns: "/run/netns/\(try lab.makePod("b"))")
            #expect { try client.add(request, network: network) } throws: { error in
                let text = "\(error)"
                return text.hasPrefix(#"pod "b": network "swiftlet": plugin bridge: failed to allocate for range 0: no IP addresses available in range set"#)
                    && (text.hasSuffix("(code 999)") || text.hasSuffix("(code 11)"))   // 999 from Debian's 1.1.1, 11 from later plugins
            }
            #expect(lab.store.load(sandboxID: request.sandboxID) == nil)
            #expect(lab.leases() == leases)
            #expect(lab.links() == links)
            #expect(lab.cniRules() == rules)
            try client.del(first)
            #expect(lab.leases().isEmpty)
        }
    }

    @Test func fiftyAddDelCyclesOnASlash28NeverRunOut() throws {
        try withLab { lab in
            let client = lab.client()
            let network = try lab.network("10.85.0.0/28")   // 13 addresses
            let pod = try lab.makePod("cycle")
            var addTimes: [Duration] = [], delTimes: [Duration] = []
            for cycle in 0..<50 {
                let clock = ContinuousClock()
                var attachment: PodNetwork.Attachment?
                addTimes.append(try clock.measure {
                    attachment = try client.add(lab.request("cycle", netns: "/run/netns/\(pod)", sandboxID: "cycle-\(cycle)-\(lab.id)"), network: network)
                })
                let added = try #require(attachment)
                #expect(!added.podIPs.isEmpty)
                delTimes.append(try clock.measure { try client.del(added) })
            }
            #expect(lab.leases().isEmpty)
            #expect(lab.store.all().isEmpty)
            func median(_ times: [Duration]) -> Duration { times.sorted()[times.count / 2] }
            print("CNI 50 cycles: ADD median \(median(addTimes)), DEL median \(median(delTimes))")
        }
    }

    /// Not a check of behaviour: reports how long each plugin takes (ADD then DEL).
    @Test func perPluginTimes() throws {
        try withLab { lab in
            let network = try lab.network()
            let pod = try lab.makePod("timing")
            var lines: [String] = []
            for round in 0..<5 {
                let id = "timing-\(round)-\(lab.id)"
                var result: String?
                var times: [String] = []
                for plugin in network.plugins {
                    let invocation = PluginInvocation(
                        command: .add, plugin: plugin, containerID: id, netns: "/run/netns/\(pod)", ifName: "eth0",
                        cniArgs: [["IgnoreUnknown", "1"]], stdin: plugin.stdin(portMappings: [PortMapping(hostPort: 18081, containerPort: 80)], prevResult: result))
                    let start = ContinuousClock.now
                    result = try invocation.run(lab.runtime).get()
                    times.append("ADD \(plugin.type) \(ContinuousClock.now - start)")
                }
                for plugin in network.plugins.reversed() {
                    let invocation = PluginInvocation(
                        command: .del, plugin: plugin, containerID: id, netns: "/run/netns/\(pod)", ifName: "eth0",
                        cniArgs: [["IgnoreUnknown", "1"]], stdin: plugin.stdin(portMappings: [PortMapping(hostPort: 18081, containerPort: 80)], prevResult: result))
                    let start = ContinuousClock.now
                    _ = try invocation.run(lab.runtime).get()
                    times.append("DEL \(plugin.type) \(ContinuousClock.now - start)")
                }
                lines.append("round \(round): " + times.joined(separator: ", "))
            }
            print("CNI per-plugin times:\n" + lines.joined(separator: "\n"))
            #expect(lab.leases().isEmpty)
        }
    }
}
