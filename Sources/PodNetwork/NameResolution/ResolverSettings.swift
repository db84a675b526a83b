/// The three things a resolv.conf sets, as the kubelet handles them (`runtimeapi.DNSConfig`).
struct ResolverSettings: Equatable {
    var nameservers: [String] = []
    var searches: [String] = []
    /// `ndots:5`, `rotate`: as written on the `options` line.
    var options: [String] = []

    /// The kubelet's `parseResolvConf`: `nameserver` lines accumulate; the last `search` line
    /// and the last `options` line win; lines starting with `#` are comments. Other lines,
    /// `domain` included, are ignored, as the kubelet ignores them.
    init(parsing file: String) {
        for line in file.split(separator: "\n", omittingEmptySubsequences: false) {
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\u{0B}" || $0 == "\u{0C}" })
                .map(String.init)
            guard let keyword = fields.first, !keyword.hasPrefix("#") else { continue }
            switch keyword {
            case "nameserver":
                // The kubelet refuses the pod over a bare `nameserver`; it is skipped here.
                if fields.count >= 2 { nameservers.append(fields[1]) }
            case "search":
                // One domain with and without its trailing dot counts once.
                searches = fields.dropFirst().map { $0.hasSuffix(".") ? String($0.dropLast()) : $0 }
            case "options":
                options = Array(fields.dropFirst())
            default:
                continue
            }
        }
    }

    init(nameservers: [String] = [], searches: [String] = [], options: [String] = []) {
        self.nameservers = nameservers
        self.searches = searches
        self.options = options
    }

    /// As containerd writes it (`parseDNSOptions`): search, nameservers, options; empty lines left out.
    var fileContent: String {
        var content = ""
        if !searches.isEmpty { content += "search " + searches.joined(separator: " ") + "\n" }
        for nameserver in nameservers { content += "nameserver " + nameserver + "\n" }
        if !options.isEmpty { content += "options " + options.joined(separator: " ") + "\n" }
        return content
    }
}
