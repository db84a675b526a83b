/// What glibc's resolver can take, enforced as the kubelet's `formDNSConfigFitsLimits` does:
/// the excess is dropped and a `DNSConfigForming` warning says what was applied.
enum ResolverLimits {
    static let maxNameservers = 3
    /// KEP-2595 (ExpandedDNSConfig), the kubelet's default since 1.28; older kubelets: 6 and 256.
    static let maxSearchPaths = 32
    static let maxSearchListCharacters = 2048
    /// glibc 2.28 aborts on a longer search path; `DNS1123SubdomainMaxLength`.
    static let maxSearchPathLength = 253

    static func fit(_ settings: inout ResolverSettings, events: inout [ResolvConf.Event]) {
        if settings.nameservers.count > maxNameservers {
            settings.nameservers = Array(settings.nameservers.prefix(maxNameservers))
            events.append(.dnsConfigForming("Nameserver limits were exceeded, some nameservers have been omitted, "
                                            + "the applied nameserver line is: " + settings.nameservers.joined(separator: " ")))
        }
        var searches = settings.searches
        var exceeded = false
        if searches.count > maxSearchPaths {
            searches = Array(searches.prefix(maxSearchPaths))
            exceeded = true
        }
        let fitting = searches.filter { $0.utf8.count <= maxSearchPathLength }
        if fitting.count != searches.count {
            searches = fitting
            exceeded = true
        }
        // Drop whole paths from the end until the line (spaces included) fits.
        while searches.joined(separator: " ").utf8.count > maxSearchListCharacters {
            searches.removeLast()
            exceeded = true
        }
        if exceeded {
            events.append(.dnsConfigForming("Search Line limits were exceeded, some search paths have been omitted, "
                                            + "the applied search line is: " + searches.joined(separator: " ")))
        }
        settings.searches = searches
    }
}
