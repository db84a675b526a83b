import GoFormat

/// Sysctl names as Kubernetes reads them (k8s.io/component-helpers/node/util/sysctl and the
/// API server's IsValidSysctlName), and the kubelet's safe set (pkg/kubelet/sysctl).
public enum SysctlNames {
    /// The kernel namespace a sysctl lives in (utilsysctl.NamespacedBy); nil when not namespaced.
    public enum Namespace: String, Sendable {
        case ipc, net
    }

    static let maxLength = 253
    static let pattern = #"^([a-z0-9]([-_a-z0-9]*[a-z0-9])?[\./])*[a-z0-9]([-_a-z0-9]*[a-z0-9])?$"#
    static let invalidMessage = "must have at most \(maxLength) characters and match regex \(pattern)"

    /// The kubelet's default allowlist (safe_sysctls.go, Kubernetes 1.32): namespaced, and with no
    /// effect on other pods. All need kernels older than any swiftlet runs on (5.6).
    public static let safe: [String] = [
        "kernel.shm_rmid_forced",
        "net.ipv4.ip_local_port_range",
        "net.ipv4.tcp_syncookies",
        "net.ipv4.ping_group_range",
        "net.ipv4.ip_unprivileged_port_start",
        "net.ipv4.ip_local_reserved_ports",
        "net.ipv4.tcp_keepalive_time",
        "net.ipv4.tcp_fin_timeout",
        "net.ipv4.tcp_keepalive_intvl",
        "net.ipv4.tcp_keepalive_probes",
        "net.ipv4.tcp_rmem",
        "net.ipv4.tcp_wmem",
    ]

    /// IsValidSysctlName: dot- or slash-separated segments of `[a-z0-9]([-_a-z0-9]*[a-z0-9])?`.
    static func isValid(_ name: String) -> Bool {
        guard name.utf8.count <= maxLength else { return false }
        let segments = name.split(separator: "/", omittingEmptySubsequences: false)
            .flatMap { $0.split(separator: ".", omittingEmptySubsequences: false) }
        return segments.allSatisfy { segment in
            let bytes = Array(segment.utf8)
            guard let first = bytes.first, let last = bytes.last else { return false }
            func alnum(_ b: UInt8) -> Bool { (b >= 0x61 && b <= 0x7a) || (b >= 0x30 && b <= 0x39) }
            return alnum(first) && alnum(last) && bytes.allSatisfy { alnum($0) || $0 == 0x2d || $0 == 0x5f }
        }
    }

    /// ConvertSysctlVariableToDotsSeparator: `net/ipv4/ip_forward` -> `net.ipv4.ip_forward`; a
    /// name whose first separator is a dot is already in that form (a slash then is part of a
    /// segment, as in `net.ipv4.conf.eno2/100.rp_filter`).
    public static func dotted(_ name: String) -> String {
        guard let first = name.first(where: { $0 == "." || $0 == "/" }), first == "/" else { return name }
        return String(name.map { $0 == "." ? "/" : $0 == "/" ? "." : $0 })
    }

    /// utilsysctl.NamespacedBy for the names the kubelet knows.
    public static func namespace(of name: String) -> Namespace? {
        let ipc = ["kernel.sem", "kernel.shmall", "kernel.shmmax", "kernel.shmmni", "kernel.msgmax",
                   "kernel.msgmnb", "kernel.msgmni", "kernel.shm_rmid_forced"]
        if ipc.contains(name) || name.hasPrefix("fs.mqueue.") { return .ipc }
        if name.hasPrefix("net.") { return .net }
        return nil
    }

    /// The kubelet's admission of a pod's sysctls (allowlist.go, Admit): nil when every one is
    /// on the safe list, else its message for the first that is not (reason `SysctlForbidden`).
    public static func admissionError(_ sysctls: [Sysctl], hostNetwork: Bool) -> String? {
        for sysctl in sysctls {
            let name = dotted(sysctl.name)
            guard safe.contains(name) else { return "forbidden sysctl: \(goQuoted(name)) not allowlisted" }
            if hostNetwork, let ns = namespace(of: name), ns == .net {
                return "forbidden sysctl: \(goQuoted(name)) not allowed with host \(ns.rawValue) enabled"
            }
        }
        return nil
    }

    /// `SysctlForbidden`, the pod status reason the kubelet gives a pod it refuses for a sysctl.
    public static let forbiddenReason = "SysctlForbidden"
}
