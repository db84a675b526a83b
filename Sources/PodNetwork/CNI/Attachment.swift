import Foundation

/// One pod sandbox's attachment to a network, kept on disk from before the first ADD plugin runs
/// until a DEL succeeds (libcni's cniCacheV1, written earlier so a crash mid-ADD leaves a record).
public struct Attachment: Codable, Sendable {
    public var sandboxID: String
    public var podName: String
    public var podNamespace: String
    public var podUID: String
    public var networkName: String
    public var netns: String
    public var ifName: String
    /// The conflist bytes used for ADD (base64 in the kept JSON); DEL runs these.
    public var config: [UInt8]
    /// CNI_ARGS as pairs, in order.
    public var cniArgs: [[String]]
    /// The mappings ADD was given; DEL sends the same (portmap removes nothing without them).
    public var portMappings: [PortMapping]
    /// The final ADD result JSON text; nil while ADD has not finished.
    public var result: String?

    public init(
        sandboxID: String, podName: String, podNamespace: String, podUID: String, networkName: String,
        netns: String, ifName: String, config: [UInt8], cniArgs: [[String]], portMappings: [PortMapping], result: String?
    ) {
        self.sandboxID = sandboxID
        self.podName = podName
        self.podNamespace = podNamespace
        self.podUID = podUID
        self.networkName = networkName
        self.netns = netns
        self.ifName = ifName
        self.config = config
        self.cniArgs = cniArgs
        self.portMappings = portMappings
        self.result = result
    }

    /// The IPs of `ifName` in the result, first IPv4 first, without prefix length (containerd's
    /// `selectPodIPs`): `ips[i].interface` indexes `interfaces[]`; an IP without an index is taken
    /// as ifName's (eth0 unless the request said otherwise). Empty if there is no result.
    public var podIPs: [String] {
        guard let result, let object = JSONText.object(Array(result.utf8)),
              let ips = object["ips"] as? [[String: Any]] else { return [] }
        let interfaces = (object["interfaces"] as? [[String: Any]] ?? []).map { $0["name"] as? String }
        let mine: [String] = ips.compactMap { ip in
            guard let address = ip["address"] as? String else { return nil }
            if let index = (ip["interface"] as? NSNumber)?.intValue {
                guard interfaces.indices.contains(index), interfaces[index] == ifName else { return nil }
            }
            return String(address.prefix { $0 != "/" })
        }
        guard let v4 = mine.firstIndex(where: { !$0.contains(":") }) else { return mine }
        var ordered = mine
        ordered.insert(ordered.remove(at: v4), at: 0)
        return ordered
    }

    enum CodingKeys: String, CodingKey {
        case sandboxID, podName, podNamespace, podUID, networkName, netns, ifName, config, cniArgs, portMappings, result
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        sandboxID = try c.decode(String.self, forKey: .sandboxID)
        podName = try c.decode(String.self, forKey: .podName)
        podNamespace = try c.decode(String.self, forKey: .podNamespace)
        podUID = try c.decode(String.self, forKey: .podUID)
        networkName = try c.decode(String.self, forKey: .networkName)
        netns = try c.decode(String.self, forKey: .netns)
        ifName = try c.decode(String.self, forKey: .ifName)
        let base64 = try c.decode(String.self, forKey: .config)
        guard let data = Data(base64Encoded: base64) else {
            throw DecodingError.dataCorruptedError(forKey: .config, in: c, debugDescription: "config is not base64")
        }
        config = Array(data)
        cniArgs = try c.decode([[String]].self, forKey: .cniArgs)
        portMappings = try c.decode([PortMapping].self, forKey: .portMappings)
        result = try c.decodeIfPresent(String.self, forKey: .result)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(sandboxID, forKey: .sandboxID)
        try c.encode(podName, forKey: .podName)
        try c.encode(podNamespace, forKey: .podNamespace)
        try c.encode(podUID, forKey: .podUID)
        try c.encode(networkName, forKey: .networkName)
        try c.encode(netns, forKey: .netns)
        try c.encode(ifName, forKey: .ifName)
        try c.encode(Data(config).base64EncodedString(), forKey: .config)
        try c.encode(cniArgs, forKey: .cniArgs)
        try c.encode(portMappings, forKey: .portMappings)
        try c.encodeIfPresent(result, forKey: .result)
    }
}
