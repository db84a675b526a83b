import CShims

/// One device cgroup rule (OCI linux.resources.devices[]). Rules apply in order from a default of
/// "deny everything": a later rule overrides an earlier one for the devices and access it names.
public struct DeviceRule: Sendable, Equatable, Hashable {
    public enum Kind: Character, Sendable, Hashable {
        /// Every device: like "a" written to v1 devices.allow / devices.deny, it resets the list to
        /// allow-all or deny-all, whatever major, minor and access say.
        case all = "a"
        case char = "c"
        case block = "b"
    }

    /// Access bits, valued as the kernel's BPF_DEVCG_ACC_* so they pass to the BPF program as is.
    public struct Access: OptionSet, Sendable, Hashable, CustomStringConvertible {
        public let rawValue: UInt32
        public init(rawValue: UInt32) { self.rawValue = rawValue }
        public static let mknod = Access(rawValue: 1)
        public static let read = Access(rawValue: 2)
        public static let write = Access(rawValue: 4)
        public static let all: Access = [.read, .write, .mknod]

        /// "rwm", "r", "mw", ...; nil for an empty string or any other letter.
        public init?(_ text: String) {
            var access: Access = []
            for c in text {
                switch c {
                case "r": access.insert(.read)
                case "w": access.insert(.write)
                case "m": access.insert(.mknod)
                default: return nil
                }
            }
            if access.isEmpty { return nil }
            self = access
        }

        public var description: String {
            (contains(.read) ? "r" : "") + (contains(.write) ? "w" : "") + (contains(.mknod) ? "m" : "")
        }
    }

    public var allow: Bool
    public var type: Kind
    /// nil = any major / minor ("*").
    public var major: Int64?
    public var minor: Int64?
    public var access: Access

    public init(allow: Bool, type: Kind, major: Int64? = nil, minor: Int64? = nil, access: Access = .all) {
        self.allow = allow
        self.type = type
        self.major = major
        self.minor = minor
        self.access = access
    }

    /// runc's default allow list: mknod of anything (creating a node grants no access to it), the
    /// standard character devices, and the pty devices.
    public static let defaultAllowed: [DeviceRule] = [
        DeviceRule(allow: true, type: .char, access: .mknod),
        DeviceRule(allow: true, type: .block, access: .mknod),
        DeviceRule(allow: true, type: .char, major: 1, minor: 3),     // /dev/null
        DeviceRule(allow: true, type: .char, major: 1, minor: 5),     // /dev/zero
        DeviceRule(allow: true, type: .char, major: 1, minor: 7),     // /dev/full
        DeviceRule(allow: true, type: .char, major: 5, minor: 0),     // /dev/tty
        DeviceRule(allow: true, type: .char, major: 1, minor: 9),     // /dev/urandom
        DeviceRule(allow: true, type: .char, major: 1, minor: 8),     // /dev/random
        DeviceRule(allow: true, type: .char, major: 5, minor: 2),     // /dev/ptmx
        DeviceRule(allow: true, type: .char, major: 136),             // /dev/pts/*
        DeviceRule(allow: true, type: .char, major: 5, minor: 1),     // /dev/console
    ]

    /// The line written to v1 devices.allow / devices.deny: "c 1:3 rwm", "c 136:* rwm", "a".
    public var v1Line: String {
        if type == .all { return "a" }
        let maj = major.map { String($0) } ?? "*"
        let min = minor.map { String($0) } ?? "*"
        return "\(type.rawValue) \(maj):\(min) \(access)"
    }

    func validate() throws(CgroupError) {
        // Device numbers are 12 (major) and 20 (minor) bits wide in the kernel.
        if let major, !(0...0xfff).contains(major) {
            throw .invalidResource("device rule \(v1Line): major \(major) is out of range")
        }
        if let minor, !(0...0xfffff).contains(minor) {
            throw .invalidResource("device rule \(v1Line): minor \(minor) is out of range")
        }
        if access.isEmpty || !Access.all.isSuperset(of: access) {
            throw .invalidResource("device rule \(v1Line): access must be a combination of r, w and m")
        }
    }

    var cRule: sl_device_rule {
        var rule = sl_device_rule()
        rule.allow = allow ? 1 : 0
        rule.type = CChar(type.rawValue.asciiValue ?? UInt8(ascii: "a"))
        rule.major = major ?? -1
        rule.minor = minor ?? -1
        rule.access = access.rawValue
        return rule
    }
}
