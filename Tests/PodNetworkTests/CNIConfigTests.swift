import Foundation
import Testing
@testable import PodNetwork

@Suite("CNI network configuration")
struct CNIConfigTests {
    let list = #"{"cniVersion":"1.0.0","name":"net1","plugins":[{"type":"bridge","bridge":"br9","isGateway":true,"mtu":1400,"ipam":{"type":"host-local","dataDir":"/x/y"}},{"type":"portmap","capabilities":{"portMappings":true,"other":false}}]}"#

    @Test func aListIsParsed() throws {
        let config = try CNINetworkConfig(bytes: Array(list.utf8), source: "/etc/x.conflist")
        #expect(config.name == "net1")
        #expect(config.cniVersion == "1.0.0")
        #expect(config.pluginTypes == ["bridge", "portmap"])
        #expect(config.bytes == Array(list.utf8))
        #expect(config.source == "/etc/x.conflist")
        #expect(config.plugins[1].capabilities == ["portMappings"])
    }

    @Test func aConfIsWrappedIntoAList() throws {
        let conf = #"{"cniVersion":"0.4.0","name":"single","type":"bridge","bridge":"br1"}"#
        let config = try CNINetworkConfig(bytes: Array(conf.utf8), source: "a.conf")
        #expect(config.name == "single")
        #expect(config.cniVersion == "0.4.0")
        #expect(config.pluginTypes == ["bridge"])
        let stdin = try #require(JSONText.object(config.plugins[0].stdin(portMappings: [], prevResult: nil)))
        #expect(stdin["bridge"] as? String == "br1")
        #expect(stdin["name"] as? String == "single")
    }

    @Test(arguments: [
        ("not json", "not a JSON object"),
        ("[1,2]", "not a JSON object"),
        (#"{"cniVersion":"1.0.0","plugins":[{"type":"bridge"}]}"#, "missing \"name\""),
        (#"{"name":"n","plugins":[{"type":"bridge"}]}"#, "missing \"cniVersion\""),
        (#"{"cniVersion":"1.0.0","name":"n","plugins":[]}"#, "\"plugins\" must be a non-empty list"),
        (#"{"cniVersion":"1.0.0","name":"n","plugins":[{"type":"bridge"},{"bridge":"x"}]}"#, "plugins[1] has no \"type\""),
        (#"{"cniVersion":"1.0.0","name":"n","plugins":[3]}"#, "plugins[0] is not an object"),
        (#"{"cniVersion":"1.0.0","name":"n","plugins":[{"type":"../../bin/sh"}]}"#, "is not a plugin name"),
        (#"{"cniVersion":"1.0.0","name":"n"}"#, "no \"plugins\" list"),
    ])
    func malformedConfigsAreRefusedNamingTheSource(json: String, reason: String) {
        #expect {
            try CNINetworkConfig(bytes: Array(json.utf8), source: "/conf/10-bad.conflist")
        } throws: { error in
            let text = "\(error)"
            return text.hasPrefix("/conf/10-bad.conflist: invalid CNI network configuration: ") && text.contains(reason)
        }
    }

    @Test func pluginStdinHasNameVersionRuntimeConfigAndPrevResultButNoCapabilities() throws {
        let config = try CNINetworkConfig(bytes: Array(list.utf8), source: "t")
        let mappings = [PortMapping(hostPort: 8080, containerPort: 80, protocol: "TCP")]
        let prev = #"{"cniVersion":"1.0.0","ips":[{"address":"10.1.0.2/24"}]}"#
        let bridge = try #require(JSONText.object(config.plugins[0].stdin(portMappings: mappings, prevResult: nil)))
        #expect(bridge["runtimeConfig"] == nil, "bridge declares no capability")
        #expect(bridge["prevResult"] == nil)
        #expect(bridge["cniVersion"] as? String == "1.0.0")
        #expect(bridge["name"] as? String == "net1")
        #expect(bridge["isGateway"] as? Bool == true)
        #expect((bridge["mtu"] as? NSNumber)?.intValue == 1400)
        #expect((bridge["ipam"] as? [String: Any])?["dataDir"] as? String == "/x/y")
        let text = String(decoding: config.plugins[1].stdin(portMappings: mappings, prevResult: prev), as: UTF8.self)
        let portmap = try #require(JSONText.object(Array(text.utf8)))
        #expect(portmap["capabilities"] == nil)
        #expect(text.contains(#""runtimeConfig":{"portMappings":[{"hostPort":8080,"containerPort":80,"protocol":"tcp","hostIP":""}]}"#))
        #expect(text.contains(#""prevResult":"# + prev), "the previous result is passed on as text")
        let empty = try #require(JSONText.object(config.plugins[1].stdin(portMappings: [], prevResult: nil)))
        #expect((empty["runtimeConfig"] as? [String: Any])?["portMappings"] as? [Any] != nil, "an empty list, as containerd sends")
    }

    @Test func swiftletDefaultNetwork() throws {
        let config = try CNINetworkConfig.swiftletDefault(podCIDR: "10.85.0.0/16", ipamDataDir: "/run/swiftlet/ipam")
        #expect(config.name == "swiftlet")
        #expect(config.cniVersion == "1.0.0")
        #expect(config.source == "swiftlet's default network")
        #expect(config.pluginTypes == ["bridge", "portmap", "firewall"])
        let bridge = try #require(JSONText.object(config.plugins[0].stdin(portMappings: [], prevResult: nil)))
        #expect(bridge["bridge"] as? String == "swiftlet0")
        for key in ["isGateway", "ipMasq", "hairpinMode"] { #expect(bridge[key] as? Bool == true, "\(key)") }
        let ipam = try #require(bridge["ipam"] as? [String: Any])
        #expect(ipam["type"] as? String == "host-local")
        #expect(ipam["dataDir"] as? String == "/run/swiftlet/ipam")
        let range = try #require((ipam["ranges"] as? [[[String: Any]]])?.first?.first)
        #expect(range["subnet"] as? String == "10.85.0.0/16")
        #expect(range["gateway"] as? String == "10.85.0.1")
        #expect((ipam["routes"] as? [[String: Any]])?.first?["dst"] as? String == "0.0.0.0/0")
        #expect(config.plugins[1].capabilities == ["portMappings"])
        let firewall = try #require(JSONText.object(config.plugins[2].stdin(portMappings: [], prevResult: nil)))
        #expect(firewall["backend"] as? String == "iptables")
        #expect(CNINetworkConfig.defaultPodCIDR == "10.85.0.0/16")
        let other = try CNINetworkConfig.swiftletDefault(podCIDR: "192.168.7.8/29", ipamDataDir: "/d", bridge: "br7")
        #expect(String(decoding: other.bytes, as: UTF8.self).contains(#""gateway": "192.168.7.9""#))
    }

    @Test(arguments: [
        ("10.85.0.0", "expected an IPv4 network"),
        ("10.85.0/16", "is not an IPv4 address"),
        ("10.85.0.256/16", "is not an IPv4 address"),
        ("fd00::/64", "only IPv4 is supported"),
        ("10.85.0.0/31", "the prefix length must be 8 to 30"),
        ("10.85.0.0/x", "the prefix length must be 8 to 30"),
        ("10.85.0.1/16", "host bits are set (the network is 10.85.0.0/16)"),
    ])
    func aMalformedPodCIDRNamesTheFlag(cidr: String, reason: String) {
        #expect {
            try CNINetworkConfig.swiftletDefault(podCIDR: cidr, ipamDataDir: "/d")
        } throws: { error in
            "\(error)".hasPrefix("invalid --pod-cidr \"\(cidr)\": ") && "\(error)".contains(reason)
        }
    }

    @Test func loadPicksTheFirstFileByNameAndIgnoresOtherExtensions() throws {
        let dir = makeTempDir("conf")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(try CNINetworkConfig.load(confDir: dir) == nil, "an empty dir has no network")
        #expect(try CNINetworkConfig.load(confDir: dir + "/missing") == nil)
        write(#"{"cniVersion":"1.0.0","name":"ignored-ext","plugins":[{"type":"bridge"}]}"#, to: dir + "/00-first.txt")
        write(#"{"cniVersion":"1.0.0","name":"ignored-bak","plugins":[{"type":"bridge"}]}"#, to: dir + "/01.conflist.bak")
        try FileManager.default.createDirectory(atPath: dir + "/02-dir.conf", withIntermediateDirectories: true)
        #expect(try CNINetworkConfig.load(confDir: dir) == nil)
        write(#"{"cniVersion":"1.0.0","name":"second","plugins":[{"type":"bridge"}]}"#, to: dir + "/20-b.conflist")
        write(#"{"cniVersion":"1.0.0","name":"json","type":"ptp"}"#, to: dir + "/30-c.json")
        write(#"{"cniVersion":"1.0.0","name":"first","type":"bridge"}"#, to: dir + "/10-a.conf")
        let first = try #require(try CNINetworkConfig.load(confDir: dir))
        #expect(first.name == "first")
        #expect(first.pluginTypes == ["bridge"])
        #expect(first.source == dir + "/10-a.conf")
    }

    @Test func aMalformedFirstFileIsAnErrorNamingIt() throws {
        let dir = makeTempDir("conf")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        write(#"{"cniVersion":"1.0.0","name":"fine","plugins":[{"type":"bridge"}]}"#, to: dir + "/99-fine.conflist")
        write(#"{"cniVersion":"1.0.0","name":"broken","plugins":[{"type":"bridge"},"#, to: dir + "/05-broken.conflist")
        #expect {
            try CNINetworkConfig.load(confDir: dir)
        } throws: { error in
            "\(error)" == "\(dir)/05-broken.conflist: invalid CNI network configuration: not a JSON object"
        }
    }

    @Test func portMappingsAreLowerCasedAndEncodedAsCNIDoes() throws {
        let mapping = PortMapping(hostPort: 53, containerPort: 5353, protocol: "UDP", hostIP: "127.0.0.1")
        #expect(mapping.protocol == "udp")
        let data = try JSONEncoder().encode(mapping)
        let object = try #require(JSONText.object(Array(data)))
        #expect(Set(object.keys) == ["hostPort", "containerPort", "protocol", "hostIP"])
    }

    @Test(arguments: [
        ("abc", true), ("a", true), ("9f.x_y-z", true), ("", false), ("-abc", false), ("_a", false), ("a/b", false), ("a b", false), ("ä", false),
    ])
    func containerIDs(id: String, valid: Bool) {
        #expect(CNIIdentifiers.isValidContainerID(id) == valid)
    }

    @Test func durationsReadLikeGo() {
        #expect(PluginInvocation.format(.seconds(30)) == "30s")
        #expect(PluginInvocation.format(.milliseconds(500)) == "500ms")
        #expect(PluginInvocation.format(.milliseconds(1500)) == "1.5s")
    }
}
