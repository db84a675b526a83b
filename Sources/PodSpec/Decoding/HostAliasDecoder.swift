/// `spec.hostAliases`: each address must parse, each name must be a DNS subdomain
/// (`ValidateHostAliases`), since both are written verbatim into `/etc/hosts`.
enum HostAliasDecoder {
    static func decode(_ spec: ObjectReader) -> [HostAlias] {
        spec.objects("hostAliases", schema: .hostAlias).map { alias in
            let diagnostics = alias.diagnostics
            let ip = alias.string("ip") ?? ""
            diagnostics.invalid(alias.path.child("ip"), ip, IPRules.ipAddress(ip))
            let hostnames = alias.strings("hostnames")
            for (i, hostname) in hostnames.enumerated() {
                diagnostics.invalid(alias.path.child("hostnames").index(i), hostname,
                                    NameRules.dns1123Subdomain(hostname))
            }
            return HostAlias(ip: ip, hostnames: hostnames)
        }
    }
}
