import Foundation
import Glibc
import Testing
@testable import PodNetwork

/// The plugin chain with fake plugins (python scripts that log what they were given).
@Suite("CNI plugin invocation with fake plugins", .enabled(if: CNIHost.hasPython, "needs /usr/bin/python3 for the fake plugins"))
struct CNIPluginInvocationTests {
    func request(_ ports: [PortMapping] = []) -> AttachmentRequest {
        AttachmentRequest(sandboxID: "sb1", netns: "/nonexistent/netns", podName: "web", podNamespace: "shop", podUID: "u-1", portMappings: ports)
    }

    @Test func addChainsResultsAndDelRunsInReverseWithTheKeptResult() throws {
        let fakes = FakePlugins()
        defer { fakes.cleanup() }
        let store = fakes.store
        let network = try fakes.network([
            ("a", "ok", "\"capabilities\":{\"portMappings\":true},\"watch\":\"\(store.dir)/sb1.json\""),
            ("b", "ok", ""),
        ])
        let client = CNIClient(runtime: fakes.runtime(), store: store)
        let ports = [PortMapping(hostPort: 8080, containerPort: 80, protocol: "TCP")]
        let attachment = try client.add(request(ports), network: network)
        #expect(attachment.podIPs == ["10.99.0.7"])
        #expect(store.load(sandboxID: "sb1")?.result == attachment.result)
        let result = try #require(JSONText.object(Array((attachment.result ?? "").utf8)))
        #expect(result["seenBy"] as? [String] == ["a", "b"], "b got a's result as prevResult")

        var calls = fakes.calls()
        #expect(calls.map { "\($0.command) \($0.tag)" } == ["ADD a", "ADD b"])
        let a = calls[0].log, b = calls[1].log
        let env = try #require(a["env"] as? [String: String])
        #expect(env["CNI_COMMAND"] == "ADD")
        #expect(env["CNI_CONTAINERID"] == "sb1")
        #expect(env["CNI_NETNS"] == "/nonexistent/netns")
        #expect(env["CNI_IFNAME"] == "eth0")
        #expect(env["CNI_ARGS"] == "IgnoreUnknown=1;K8S_POD_NAMESPACE=shop;K8S_POD_NAME=web;K8S_POD_INFRA_CONTAINER_ID=sb1;K8S_POD_UID=u-1")
        #expect(env["CNI_PATH"] == fakes.binDir)
        let path = (env["PATH"] ?? "").split(separator: ":")
        #expect(path.contains("/usr/sbin") && path.contains("/sbin"))
        let watched = try #require(a["watched"] as? String, "the attachment is kept before the first plugin runs")
        #expect(watched.contains("\"sandboxID\":\"sb1\"") && !watched.contains("\"result\""))

        let aIn = try #require(a["stdin"] as? [String: Any])
        #expect(aIn["capabilities"] == nil)
        #expect(aIn["name"] as? String == "fakenet")
        #expect(aIn["cniVersion"] as? String == "1.0.0")
        #expect(aIn["prevResult"] == nil)
        let mappings = (aIn["runtimeConfig"] as? [String: Any])?["portMappings"] as? [[String: Any]]
        #expect(mappings?.first?["protocol"] as? String == "tcp")
        #expect((mappings?.first?["hostPort"] as? NSNumber)?.intValue == 8080)
        let bIn = try #require(b["stdin"] as? [String: Any])
        #expect(bIn["runtimeConfig"] == nil, "b declares no capability")
        #expect((bIn["prevResult"] as? [String: Any])?["seenBy"] as? [String] == ["a"])

        try client.del(attachment)
        calls = fakes.calls()
        #expect(calls.map { "\($0.command) \($0.tag)" } == ["ADD a", "ADD b", "DEL b", "DEL a"])
        for del in calls[2...] {
            let stdin = try #require(del.log["stdin"] as? [String: Any])
            #expect((stdin["prevResult"] as? [String: Any])?["seenBy"] as? [String] == ["a", "b"], "the final ADD result")
            #expect((del.log["env"] as? [String: String])?["CNI_NETNS"] == "", "the kept netns is gone")
        }
        let aDel = try #require(calls[3].log["stdin"] as? [String: Any])
        #expect(((aDel["runtimeConfig"] as? [String: Any])?["portMappings"] as? [Any])?.count == 1, "the same mappings on DEL")
        #expect(store.load(sandboxID: "sb1") == nil)
        try client.del(attachment)   // again: fine
    }

    @Test(arguments: [
        ("error-stdout", #"pod "web": network "fakenet": plugin fake: fake failure of c: it was asked to (code 7)"#),
        ("error-stderr", #"pod "web": network "fakenet": plugin fake: fake failure of c: it was asked to (code 7)"#),
        ("text", #"pod "web": network "fakenet": plugin fake: something broke (exit status 3)"#),
        ("bad-result", #"pod "web": network "fakenet": plugin fake: ADD succeeded but printed no JSON result: not json"#),
    ])
    func aFailedAddIsUndoneAndExplained(behavior: String, message: String) throws {
        let fakes = FakePlugins()
        defer { fakes.cleanup() }
        let network = try fakes.network([("a", "ok", ""), ("b", "ok", ""), ("c", behavior, "")])
        let client = CNIClient(runtime: fakes.runtime(), store: fakes.store)
        #expect { try client.add(request(), network: network) } throws: { "\($0)" == message }
        let calls = fakes.calls()
        #expect(calls.map { "\($0.command) \($0.tag)" } == ["ADD a", "ADD b", "ADD c", "DEL c", "DEL b", "DEL a"])
        let prev = (calls[3].log["stdin"] as? [String: Any])?["prevResult"] as? [String: Any]
        #expect(prev?["seenBy"] as? [String] == ["a", "b"], "the DEL gets the last result there was")
        #expect(fakes.store.all().isEmpty, "nothing kept")
    }

    @Test func aFailedUndoKeepsTheAttachmentForALaterDel() throws {
        let fakes = FakePlugins()
        defer { fakes.cleanup() }
        let network = try fakes.network([("a", "del-fails", ""), ("b", "error-stdout", "")])
        let client = CNIClient(runtime: fakes.runtime(), store: fakes.store)
        #expect { try client.add(request(), network: network) } throws: {
            "\($0)" == #"pod "web": network "fakenet": plugin fake: fake failure of b: it was asked to (code 7); the DEL after it failed too (plugin fake: fake DEL failure of a: it was asked to (code 7)): the attachment is kept for a later DEL"#
        }
        let kept = try #require(fakes.store.load(sandboxID: "sb1"))
        #expect(kept.result == nil)
        #expect { try client.del(kept) } throws: { "\($0)" == #"pod "web": network "fakenet": plugin fake: fake DEL failure of a: it was asked to (code 7)"# }
        #expect(fakes.store.load(sandboxID: "sb1") != nil, "kept while DEL fails")
    }

    @Test func aMissingPluginFailsBeforeAnythingRuns() throws {
        let fakes = FakePlugins()
        defer { fakes.cleanup() }
        let json = #"{"cniVersion":"1.0.0","name":"swiftlet","plugins":[{"type":"fake","tag":"a","logDir":"\#(fakes.logDir)"},{"type":"bridgex"}]}"#
        let network = try CNINetworkConfig(bytes: Array(json.utf8), source: "t")
        let client = CNIClient(runtime: CNIRuntime(binDirs: [fakes.binDir, "/nonexistent/cni"]), store: fakes.store)
        #expect { try client.add(request(), network: network) } throws: {
            "\($0)" == #"pod "web": network "swiftlet": plugin "bridgex" not found in \#(fakes.binDir), /nonexistent/cni"#
        }
        #expect(fakes.calls().isEmpty)
        #expect(fakes.store.all().isEmpty)
    }

    @Test func aHangingPluginIsKilledAtTheTimeout() throws {
        let fakes = FakePlugins()
        defer { fakes.cleanup() }
        let network = try fakes.network([("a", "ok", ""), ("slow", "hang", "")])
        let client = CNIClient(runtime: fakes.runtime(timeout: .seconds(1)), store: fakes.store)
        let start = ContinuousClock.now
        #expect { try client.add(request(), network: network) } throws: {
            "\($0)" == #"pod "web": network "fakenet": plugin fake: timed out after 1s"#
        }
        let elapsed = ContinuousClock.now - start
        #expect(elapsed < .seconds(3), "ADD 1 s + kill, then DEL of slow and a (\(elapsed))")
        let hung = try #require(fakes.calls().first { $0.command == "ADD" && $0.tag == "slow" })
        let pid = try #require((hung.log["pid"] as? NSNumber)?.int32Value)
        #expect(kill(pid, 0) == -1 && errno == ESRCH, "the plugin is killed and reaped")
        #expect(fakes.calls().map { "\($0.command) \($0.tag)" }.suffix(2) == ["DEL slow", "DEL a"])
        #expect(fakes.store.all().isEmpty)
    }

    @Test func bigStdinAndOutputPassThrough() throws {
        let fakes = FakePlugins()
        defer { fakes.cleanup() }
        let big = String(repeating: "x", count: 300_000)   // far beyond a pipe's buffer, both ways
        let network = try fakes.network([("a", "ok", "\"big\":\"\(big)\"")])
        let client = CNIClient(runtime: fakes.runtime(), store: fakes.store)
        let attachment = try client.add(request(), network: network)
        let stdin = try #require(fakes.calls().first?.log["stdin"] as? [String: Any])
        #expect((stdin["big"] as? String)?.count == big.count)
        try client.del(attachment)
    }

    @Test(.enabled(if: CNIHost.canMakeNamespaces, "needs root and ip to make a network namespace"))
    func pluginsRunInThePluginNetnsAndTheCallerStaysPut() throws {
        try withLab { lab in
            let fakes = FakePlugins()
            defer { fakes.cleanup() }
            let before = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/thread-self/ns/net")
            let network = try fakes.network([("a", "ok", "")])
            let client = CNIClient(runtime: fakes.runtime(pluginNetns: lab.pluginNetns), store: fakes.store)
            let attachment = try client.add(request(), network: network)
            try client.del(attachment)
            let target = try #require(run(["/usr/bin/readlink", "/proc/self/ns/net"]).output.split(separator: "\n").first)
            let inLab = run(["/usr/sbin/ip", "netns", "exec", lab.pluginNetnsName, "/usr/bin/readlink", "/proc/self/ns/net"]).output
                .trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(inLab != String(target))
            for call in fakes.calls() { #expect(call.log["netns"] as? String == inLab, "\(call.command) \(call.tag)") }
            #expect(try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/thread-self/ns/net") == before)

            let missing = CNIClient(runtime: fakes.runtime(pluginNetns: lab.dir + "/no-such-netns"), store: fakes.store)
            #expect { try missing.add(request(), network: network) } throws: {
                "\($0)".hasPrefix(#"pod "web": network "fakenet": plugin fake: cannot open network namespace \#(lab.dir)/no-such-netns: No such file"#)
            }
        }
    }
}
