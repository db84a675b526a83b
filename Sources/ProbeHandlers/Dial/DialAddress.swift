import Glibc

/// A resolved TCP endpoint, kept as a raw sockaddr so connect(2) can take it directly.
struct DialAddress: Sendable {
    var storage = sockaddr_storage()
    var length: socklen_t = 0
    var family: CInt = AF_UNSPEC

    /// The numeric IPv4/IPv6 address, or nil when `host` is a name that needs a lookup.
    static func numeric(_ host: String, port: Int) -> DialAddress? {
        var address = DialAddress()
        let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        let netPort = UInt16(truncatingIfNeeded: port).bigEndian
        var v4 = sockaddr_in()
        if inet_pton(AF_INET, bare, &v4.sin_addr) == 1 {
            v4.sin_family = sa_family_t(AF_INET)
            v4.sin_port = netPort
            withUnsafeMutableBytes(of: &address.storage) { raw in
                withUnsafeBytes(of: v4) { raw.copyMemory(from: $0) }
            }
            address.length = socklen_t(MemoryLayout<sockaddr_in>.size)
            address.family = AF_INET
            return address
        }
        var v6 = sockaddr_in6()
        if inet_pton(AF_INET6, bare, &v6.sin6_addr) == 1 {
            v6.sin6_family = sa_family_t(AF_INET6)
            v6.sin6_port = netPort
            withUnsafeMutableBytes(of: &address.storage) { raw in
                withUnsafeBytes(of: v6) { raw.copyMemory(from: $0) }
            }
            address.length = socklen_t(MemoryLayout<sockaddr_in6>.size)
            address.family = AF_INET6
            return address
        }
        return nil
    }

    /// Every address for `host`: numeric ones at once, names through getaddrinfo. A lookup runs
    /// on the dial thread inside the pod's namespace (so /etc/hosts names like `localhost` work).
    static func resolve(_ host: String, port: Int) throws(DialError) -> [DialAddress] {
        if let numeric = numeric(host, port: port) { return [numeric] }
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = CInt(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_NUMERICSERV
        var list: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(host, String(port), &hints, &list)
        guard rc == 0 else {
            let reason = gai_strerror(rc).map { String(cString: $0) } ?? "lookup failed"
            throw DialError.lookup(host, reason.prefix(1).lowercased() + reason.dropFirst())
        }
        defer { freeaddrinfo(list) }
        var addresses: [DialAddress] = []
        var cursor = list
        while let info = cursor?.pointee {
            if let sockaddr = info.ai_addr, Int(info.ai_addrlen) <= MemoryLayout<sockaddr_storage>.size {
                var address = DialAddress(length: info.ai_addrlen, family: info.ai_family)
                withUnsafeMutableBytes(of: &address.storage) { raw in
                    raw.copyMemory(from: UnsafeRawBufferPointer(start: sockaddr, count: Int(info.ai_addrlen)))
                }
                addresses.append(address)
            }
            cursor = info.ai_next
        }
        guard !addresses.isEmpty else { throw DialError.lookup(host, "no such host") }
        return addresses
    }

    /// Whether `host` is an IP literal (TLS must not send those as SNI).
    static func isIPLiteral(_ host: String) -> Bool { numeric(host, port: 0) != nil }
}

/// host:port as Go's net.JoinHostPort writes it (IPv6 in brackets).
func joinHostPort(_ host: String, _ port: Int) -> String {
    host.contains(":") && !host.hasPrefix("[") ? "[\(host)]:\(port)" : "\(host):\(port)"
}
