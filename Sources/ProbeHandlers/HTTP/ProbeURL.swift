/// The small part of URL handling a probe needs: format the URL and resolve a `Location`
/// header against it (RFC 3986 §5.2). Deliberately not Foundation's URL.
struct ProbeURL: Sendable, Equatable, CustomStringConvertible {
    var scheme: HTTPProbeTarget.Scheme
    var host: String  // without IPv6 brackets
    var port: Int
    var pathAndQuery: String  // always starts with "/"

    init(scheme: HTTPProbeTarget.Scheme, host: String, port: Int, pathAndQuery: String) {
        self.scheme = scheme
        self.host = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        self.port = port
        self.pathAndQuery = pathAndQuery.hasPrefix("/") ? pathAndQuery : "/" + pathAndQuery
    }

    init(_ target: HTTPProbeTarget) {
        self.init(scheme: target.scheme, host: target.host, port: target.port, pathAndQuery: target.path)
    }

    /// host:port, as both the Host header and the redirect comparison use it.
    var authority: String { joinHostPort(host, port) }

    var description: String { "\(scheme.rawValue)://\(authority)\(pathAndQuery)" }

    /// Same host (case-insensitive) and port: the only redirects a probe follows.
    func sameEndpoint(as other: ProbeURL) -> Bool {
        port == other.port && host.lowercased() == other.host.lowercased()
    }

    /// The URL a `Location` value points to, or nil when it is not an http(s) URL we can parse.
    func resolving(_ location: String) -> ProbeURL? {
        let reference = location.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)
            .first.map(String.init) ?? ""
        if let colon = reference.firstIndex(of: ":"), Self.isScheme(reference[..<colon]) {
            guard let scheme = HTTPProbeTarget.Scheme(rawValue: reference[..<colon].lowercased()),
                reference[colon...].hasPrefix("://")
            else { return nil }
            return Self.parse(authorityAndPath: reference[reference.index(colon, offsetBy: 3)...], scheme: scheme)
        }
        if reference.hasPrefix("//") {
            return Self.parse(authorityAndPath: reference.dropFirst(2), scheme: scheme)
        }
        var next = self
        if reference.isEmpty { return next }
        if reference.hasPrefix("?") {
            next.pathAndQuery = currentPath + reference
        } else if reference.hasPrefix("/") {
            next.pathAndQuery = Self.removingDotSegments(reference)
        } else {
            let directory = currentPath.prefix(through: currentPath.lastIndex(of: "/") ?? currentPath.startIndex)
            next.pathAndQuery = Self.removingDotSegments(directory + reference)
        }
        return next
    }

    /// A reference with its own scheme or authority (not resolved against the current URL).
    static func isAbsolute(_ location: String) -> Bool {
        if location.hasPrefix("//") { return true }
        guard let colon = location.firstIndex(of: ":") else { return false }
        return isScheme(location[..<colon])
    }

    private var currentPath: String {
        String(pathAndQuery.prefix { $0 != "?" })
    }

    private static func isScheme(_ text: Substring) -> Bool {
        guard let first = text.first, first.isLetter else { return false }
        return text.allSatisfy { $0.isLetter || $0.isNumber || $0 == "+" || $0 == "-" || $0 == "." }
    }

    private static func parse(authorityAndPath: Substring, scheme: HTTPProbeTarget.Scheme) -> ProbeURL? {
        let end = authorityAndPath.firstIndex { $0 == "/" || $0 == "?" } ?? authorityAndPath.endIndex
        var authority = authorityAndPath[..<end]
        if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
        var host = authority
        var port = scheme.defaultPort
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { return nil }
            host = authority[authority.index(after: authority.startIndex)..<close]
            let rest = authority[authority.index(after: close)...]
            if rest.hasPrefix(":"), rest.count > 1 {
                guard let parsed = Int(rest.dropFirst()) else { return nil }
                port = parsed
            }
        } else if let colon = authority.lastIndex(of: ":") {
            host = authority[..<colon]
            let portText = authority[authority.index(after: colon)...]
            if !portText.isEmpty {
                guard let parsed = Int(portText) else { return nil }
                port = parsed
            }
        }
        guard !host.isEmpty, (1...65535).contains(port) else { return nil }
        let rest = authorityAndPath[end...]
        return ProbeURL(scheme: scheme, host: String(host), port: port,
                        pathAndQuery: rest.hasPrefix("?") ? "/" + rest : removingDotSegments(String(rest)))
    }

    /// RFC 3986 §5.2.4 on the path; the query is left alone.
    static func removingDotSegments(_ pathAndQuery: String) -> String {
        let split = pathAndQuery.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        let path = split.first.map(String.init) ?? ""
        let query = split.count > 1 ? "?" + split[1] : ""
        var output: [Substring] = []
        let segments = path.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
        for (index, segment) in segments.enumerated() {
            let isLast = index == segments.count - 1
            switch segment {
            case ".": if isLast { output.append("") }
            case "..":
                if !output.isEmpty { output.removeLast() }
                if isLast { output.append("") }
            default: output.append(segment)
            }
        }
        return "/" + output.joined(separator: "/") + query
    }
}
