import GoFormat

extension CNINetworkConfig {
    /// Not podman's or containerd's 10.88.0.0/16, so swiftlet can share a host with them.
    public static let defaultPodCIDR = "10.85.0.0/16"

    /// The default network's bridge, the pods' gateway.
    public static let defaultBridge = "swiftlet0"

    /// swiftlet's own network when the conf dir has none (cni.md §7): bridge (`isGateway`, `ipMasq`,
    /// `hairpinMode`) with host-local IPAM on `podCIDR` (gateway = its first address, leases under
    /// `ipamDataDir`, default route), portmap (portMappings) and firewall (iptables backend).
    public static func swiftletDefault(podCIDR: String, ipamDataDir: String, bridge: String = defaultBridge) throws(NetworkError) -> CNINetworkConfig {
        let subnet = try IPv4Subnet(podCIDR)
        guard CNIIdentifiers.isValidInterfaceName(bridge) else {
            throw NetworkError("invalid bridge name \(goQuoted(bridge)): 1 to 15 characters without \"/\", \":\" or spaces")
        }
        let json = """
            {
              "cniVersion": "1.0.0",
              "name": "swiftlet",
              "plugins": [
                {
                  "type": "bridge",
                  "bridge": \(JSONText.quote(bridge)),
                  "isGateway": true,
                  "ipMasq": true,
                  "hairpinMode": true,
                  "ipam": {
                    "type": "host-local",
                    "ranges": [[{ "subnet": "\(subnet)", "gateway": "\(subnet.firstAddress)" }]],
                    "routes": [{ "dst": "0.0.0.0/0" }],
                    "dataDir": \(JSONText.quote(ipamDataDir))
                  }
                },
                { "type": "portmap", "capabilities": { "portMappings": true } },
                { "type": "firewall", "backend": "iptables" }
              ]
            }

            """
        return try CNINetworkConfig(bytes: Array(json.utf8), source: "swiftlet's default network")
    }
}

/// An IPv4 network in CIDR notation, as --pod-cidr takes it.
struct IPv4Subnet: CustomStringConvertible {
    let address: UInt32
    let prefixLength: Int

    init(_ cidr: String) throws(NetworkError) {
        func invalid(_ why: String) -> NetworkError { NetworkError("invalid --pod-cidr \(goQuoted(cidr)): \(why)") }
        let parts = cidr.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2 else { throw invalid("expected an IPv4 network such as \(CNINetworkConfig.defaultPodCIDR)") }
        let octets = parts[0].split(separator: ".", omittingEmptySubsequences: false)
        guard octets.count == 4 else {
            throw invalid(parts[0].contains(":") ? "only IPv4 is supported" : "\(parts[0]) is not an IPv4 address")
        }
        var address: UInt32 = 0
        for octet in octets {
            guard (1...3).contains(octet.count), octet.allSatisfy(\.isASCII), let value = UInt32(octet), value <= 255 else {
                throw invalid("\(parts[0]) is not an IPv4 address")
            }
            address = address << 8 | value
        }
        guard parts[1].allSatisfy(\.isASCII), let prefix = Int(parts[1]), (8...30).contains(prefix) else {
            throw invalid("the prefix length must be 8 to 30 (a gateway and at least one pod)")
        }
        let mask: UInt32 = ~0 << UInt32(32 - prefix)
        guard address & mask == address else {
            throw invalid("host bits are set (the network is \(Self.format(address & mask))/\(prefix))")
        }
        self.address = address
        self.prefixLength = prefix
    }

    var firstAddress: String { Self.format(address + 1) }
    var description: String { "\(Self.format(address))/\(prefixLength)" }

    static func format(_ address: UInt32) -> String {
        [24, 16, 8, 0].map { String(address >> UInt32($0) & 0xff) }.joined(separator: ".")
    }
}
