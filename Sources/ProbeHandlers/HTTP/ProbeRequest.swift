import NIOHTTP1

/// The request head the kubelet sends (pkg/probe/http/request.go and Go's request writer).
enum ProbeRequest {
    static func head(for url: ProbeURL, hostHeader: String?, userHeaders: [HTTPProbeTarget.Header],
                     userAgent: String) -> HTTPRequestHead {
        func values(_ name: String) -> [String] {
            userHeaders.filter { $0.name.lowercased() == name }.map(\.value)
        }
        var headers = HTTPHeaders()
        headers.add(name: "Host", value: hostHeader ?? url.authority)
        // A user User-Agent replaces ours; an empty one means none at all (as Go does).
        let agent = values("user-agent").first ?? userAgent
        if !agent.isEmpty { headers.add(name: "User-Agent", value: agent) }
        // No user Accept: accept anything. A user Accept with an empty first value: drop it.
        let accepts = values("accept")
        if accepts.isEmpty {
            headers.add(name: "Accept", value: "*/*")
        } else if accepts.first?.isEmpty == false {
            for value in accepts { headers.add(name: "Accept", value: value) }
        }
        let handled: Set<String> = ["host", "user-agent", "accept", "connection"]
        for header in userHeaders where !handled.contains(header.name.lowercased()) {
            headers.add(name: header.name, value: header.value)
        }
        // One request per connection: no keep-alive.
        headers.add(name: "Connection", value: "close")
        return HTTPRequestHead(version: .http1_1, method: .GET, uri: url.pathAndQuery, headers: headers)
    }

    /// The user's Host header (its first value, unless empty) replaces host:port from the URL.
    static func hostHeader(in userHeaders: [HTTPProbeTarget.Header]) -> String? {
        guard let value = userHeaders.first(where: { $0.name.lowercased() == "host" })?.value,
            !value.isEmpty
        else { return nil }
        return value
    }
}
