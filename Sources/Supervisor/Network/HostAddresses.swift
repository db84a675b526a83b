import Foundation
import Glibc

/// The node's addresses, for `status.hostIP(s)`: the IPv4 address of the interface that holds
/// the default route (the kubelet's node IP is usually that one), else the first address of
/// any other interface that is up, loopback and pod bridges aside. Empty when there is none
/// (an isolated network namespace).
enum HostAddresses {
    static func ipv4(excludingInterfaces excluded: Set<String> = []) -> [String] {
        let all = interfaceAddresses().filter { !excluded.contains($0.interface) && $0.interface != "lo" }
        if let route = defaultRouteInterface(), let match = all.first(where: { $0.interface == route }) {
            return [match.address]
        }
        return all.first.map { [$0.address] } ?? []
    }

    /// /proc/net/route: the interface whose destination is 00000000 (the default route).
    static func defaultRouteInterface() -> String? {
        guard let text = try? String(contentsOfFile: "/proc/net/route", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n").dropFirst() {
            let fields = line.split(whereSeparator: { $0 == "\t" || $0 == " " })
            if fields.count > 2, fields[1] == "00000000" { return String(fields[0]) }
        }
        return nil
    }

    private static func interfaceAddresses() -> [(interface: String, address: String)] {
        var list: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&list) == 0, let first = list else { return [] }
        defer { freeifaddrs(list) }
        var out: [(String, String)] = []
        var cursor: UnsafeMutablePointer<ifaddrs>? = first
        while let entry = cursor {
            defer { cursor = entry.pointee.ifa_next }
            guard let addr = entry.pointee.ifa_addr, addr.pointee.sa_family == sa_family_t(AF_INET),
                  entry.pointee.ifa_flags & UInt32(IFF_UP) != 0 else { continue }
            var buf = [CChar](repeating: 0, count: Int(INET_ADDRSTRLEN))
            var sin = addr.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee }
            inet_ntop(AF_INET, &sin.sin_addr, &buf, socklen_t(buf.count))
            let address = String(decoding: buf.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            out.append((String(cString: entry.pointee.ifa_name), address))
        }
        return out
    }
}
