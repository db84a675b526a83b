/// What ADD needs to attach one pod sandbox to a network.
public struct AttachmentRequest: Sendable {
    /// CNI_CONTAINERID: must match `^[a-zA-Z0-9][a-zA-Z0-9_.\-]*$`.
    public var sandboxID: String
    /// CNI_NETNS: the path of the sandbox's pinned network namespace.
    public var netns: String
    public var ifName: String = "eth0"
    public var podName: String
    public var podNamespace: String
    public var podUID: String
    public var portMappings: [PortMapping] = []

    public init(
        sandboxID: String, netns: String, ifName: String = "eth0",
        podName: String, podNamespace: String, podUID: String, portMappings: [PortMapping] = []
    ) {
        self.sandboxID = sandboxID
        self.netns = netns
        self.ifName = ifName
        self.podName = podName
        self.podNamespace = podNamespace
        self.podUID = podUID
        self.portMappings = portMappings
    }
}

/// The checks libcni makes on CNI_CONTAINERID and CNI_IFNAME (`pkg/utils/utils.go`).
enum CNIIdentifiers {
    static func isValidContainerID(_ id: String) -> Bool {
        let bytes = Array(id.utf8)
        guard let first = bytes.first, isAlphanumeric(first) else { return false }
        return bytes.dropFirst().allSatisfy { isAlphanumeric($0) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") }
    }

    static func isValidInterfaceName(_ name: String) -> Bool {
        guard !name.isEmpty, name.utf8.count <= 15, name != ".", name != ".." else { return false }
        return !name.unicodeScalars.contains { $0 == "/" || $0 == ":" || $0.properties.isWhitespace }
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }
}
