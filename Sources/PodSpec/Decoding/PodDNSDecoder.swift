import GoFormat

/// `spec.dnsPolicy` and `spec.dnsConfig`, with the API server's limits (`validatePodDNSConfig`;
/// the search limits are those of KEP-2595, the default since Kubernetes 1.28).
enum PodDNSDecoder {
    static let maxNameservers = 3
    static let maxSearchPaths = 32
    static let maxSearchListCharacters = 2048

    static func policy(_ spec: ObjectReader) -> DNSPolicy {
        spec.enumeration("dnsPolicy", default: DNSPolicy.clusterFirst,
                         supported: [.clusterFirstWithHostNet, .clusterFirst, .default, .none])
    }

    static func config(_ spec: ObjectReader, policy: DNSPolicy) -> PodDNSConfig? {
        let diagnostics = spec.diagnostics
        let path = spec.path.child("dnsConfig")
        let config = spec.object("dnsConfig", schema: .podDNSConfig).map(decode)
        // With None, dnsConfig is all the pod gets; without a nameserver it resolves nothing.
        if policy == .none {
            guard let config else {
                diagnostics.required(path, "must provide `dnsConfig` when `dnsPolicy` is None")
                return nil
            }
            if config.nameservers.isEmpty {
                diagnostics.required(path.child("nameservers"),
                                     "must provide at least one DNS nameserver when `dnsPolicy` is None")
                return config
            }
        }
        if let config { check(config, path: path, diagnostics: diagnostics) }
        return config
    }

    private static func decode(_ config: ObjectReader) -> PodDNSConfig {
        let options = config.objects("options", schema: .podDNSConfigOption).map { option in
            PodDNSConfigOption(name: option.string("name") ?? "", value: option.string("value"))
        }
        return PodDNSConfig(nameservers: config.strings("nameservers"), searches: config.strings("searches"),
                            options: options)
    }

    private static func check(_ config: PodDNSConfig, path: FieldPath, diagnostics: Diagnostics) {
        let nameservers = path.child("nameservers")
        if config.nameservers.count > maxNameservers {
            diagnostics.invalid(nameservers, goStringSlice(config.nameservers),
                                "must not have more than \(maxNameservers) nameservers")
        }
        for (i, nameserver) in config.nameservers.enumerated() {
            diagnostics.invalid(nameservers.index(i), nameserver, IPRules.ipAddress(nameserver))
        }
        let searches = path.child("searches")
        if config.searches.count > maxSearchPaths {
            diagnostics.invalid(searches, goStringSlice(config.searches),
                                "must not have more than \(maxSearchPaths) search paths")
        }
        if config.searches.joined(separator: " ").utf8.count > maxSearchListCharacters {
            diagnostics.invalid(searches, goStringSlice(config.searches),
                                "must not have more than \(maxSearchListCharacters) characters (including spaces) in the search list")
        }
        for (i, search) in config.searches.enumerated() {
            // A trailing dot only marks the name absolute.
            let name = search.hasSuffix(".") ? String(search.dropLast()) : search
            diagnostics.invalid(searches.index(i), name, NameRules.dns1123Subdomain(name))
        }
        for (i, option) in config.options.enumerated() where option.name.isEmpty {
            diagnostics.required(path.child("options").index(i), "must not be empty")
        }
    }

    /// A list value as the API server prints it (Go's `%#v`).
    private static func goStringSlice(_ values: [String]) -> FieldError.Value {
        .literal("[]string{" + values.map(goQuoted).joined(separator: ", ") + "}")
    }
}
