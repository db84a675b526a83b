import PodSpec
import Testing

/// hostNetwork, hostname, subdomain, hostAliases, dnsPolicy, dnsConfig and host ports: decoded,
/// defaulted and validated as the API server does.
@Suite struct NetworkFieldsTests {
    private func pod(_ yaml: String) throws -> Pod {
        try #require(try PodFile.parse(yaml, file: "pod.yaml").first)
    }

    // MARK: Decoding and defaults

    @Test func defaultsWhenNothingIsSet() throws {
        let spec = try pod(Manifest.pod()).spec
        #expect(spec.hostNetwork == false)
        #expect(spec.hostname == nil)
        #expect(spec.subdomain == nil)
        #expect(spec.hostAliases == [])
        #expect(spec.dnsPolicy == .clusterFirst)
        #expect(spec.dnsConfig == nil)
    }

    @Test func everyNetworkFieldIsDecoded() throws {
        let spec = try pod(Manifest.pod(spec: """
            hostname: db-0
            subdomain: db
            hostAliases:
            - {ip: 10.1.2.3, hostnames: [foo.local, bar.local]}
            - {ip: "2001:db8::1", hostnames: [v6.local]}
            dnsPolicy: None
            dnsConfig:
              nameservers: [1.1.1.1, "2606:4700:4700::1111"]
              searches: [ns1.svc.cluster-domain.example, my.dns.search.suffix.]
              options:
              - {name: ndots, value: "2"}
              - {name: edns0}
            """, container: "ports: [{containerPort: 8080, hostPort: 18080, hostIP: 127.0.0.1, protocol: UDP}]")).spec
        #expect(spec.hostname == "db-0")
        #expect(spec.subdomain == "db")
        #expect(spec.hostAliases == [HostAlias(ip: "10.1.2.3", hostnames: ["foo.local", "bar.local"]),
                                     HostAlias(ip: "2001:db8::1", hostnames: ["v6.local"])])
        #expect(spec.dnsPolicy == DNSPolicy.none)
        #expect(spec.dnsConfig == PodDNSConfig(
            nameservers: ["1.1.1.1", "2606:4700:4700::1111"],
            searches: ["ns1.svc.cluster-domain.example", "my.dns.search.suffix."],
            options: [PodDNSConfigOption(name: "ndots", value: "2"), PodDNSConfigOption(name: "edns0")]))
        #expect(spec.containers[0].ports == [ContainerPort(containerPort: 8080, protocol: .udp,
                                                           hostPort: 18080, hostIP: "127.0.0.1")])
    }

    @Test(arguments: DNSPolicy.allCases) func everyDNSPolicyIsAccepted(_ policy: DNSPolicy) throws {
        let config = policy == .none ? "\ndnsConfig: {nameservers: [192.0.2.53]}" : ""
        #expect(try pod(Manifest.pod(spec: "dnsPolicy: \(policy.rawValue)" + config)).spec.dnsPolicy == policy)
    }

    @Test func emptyStringsMeanUnset() throws {
        let spec = try pod(Manifest.pod(spec: """
            hostname: ""
            subdomain: ""
            dnsPolicy: ""
            """, container: #"ports: [{containerPort: 80, hostPort: 0, hostIP: ""}]"#)).spec
        #expect(spec.hostname == nil)
        #expect(spec.subdomain == nil)
        #expect(spec.dnsPolicy == .clusterFirst)
        #expect(spec.containers[0].ports == [ContainerPort(containerPort: 80)])
    }

    @Test func hostNetworkDefaultsEveryHostPortToItsContainerPort() throws {
        let yaml = """
            apiVersion: v1
            kind: Pod
            metadata: {name: web}
            spec:
              hostNetwork: true
              containers:
              - name: app
                image: rootfs
                ports: [{containerPort: 8080}, {containerPort: 53, protocol: UDP, hostPort: 53}]
              - name: side
                image: rootfs
                ports: [{containerPort: 9100, name: metrics}]
            """
        let spec = try pod(yaml).spec
        #expect(spec.hostNetwork)
        #expect(spec.containers[0].ports == [ContainerPort(containerPort: 8080, hostPort: 8080),
                                             ContainerPort(containerPort: 53, protocol: .udp, hostPort: 53)])
        #expect(spec.containers[1].ports == [ContainerPort(name: "metrics", containerPort: 9100, hostPort: 9100)])
    }

    @Test func withoutHostNetworkAPortHasNoHostPortUnlessSet() throws {
        let spec = try pod(Manifest.pod(spec: "hostNetwork: false", container: "ports: [{containerPort: 8080}]")).spec
        #expect(spec.containers[0].ports == [ContainerPort(containerPort: 8080)])
    }

    @Test func theSameHostPortOnTwoAddressesOrProtocolsIsAllowed() throws {
        let spec = try pod(Manifest.pod(container: """
            ports:
            - {containerPort: 80, hostPort: 8080}
            - {containerPort: 81, hostPort: 8080, protocol: UDP}
            - {containerPort: 82, hostPort: 8080, hostIP: 127.0.0.1}
            """)).spec
        #expect(spec.containers[0].ports.map(\.hostPort) == [8080, 8080, 8080])
    }

    // MARK: Validation

    static let rules: [Case] = [
        Case("hostname not a label", Manifest.pod(spec: "hostname: Db_0"),
             #"spec.hostname: Invalid value: "Db_0": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"#),
        Case("hostname too long", Manifest.pod(spec: "hostname: " + String(repeating: "a", count: 64)),
             #"spec.hostname: Invalid value: "\#(String(repeating: "a", count: 64))": must be no more than 63 characters"#),
        Case("subdomain with a dot", Manifest.pod(spec: "subdomain: a.b"),
             #"spec.subdomain: Invalid value: "a.b": must not contain dots"#),
        Case("alias address", Manifest.pod(spec: "hostAliases: [{ip: 10.0.0.300, hostnames: [foo]}]"),
             #"spec.hostAliases[0].ip: Invalid value: "10.0.0.300": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"#),
        Case("alias without address", Manifest.pod(spec: "hostAliases: [{hostnames: [foo]}]"),
             #"spec.hostAliases[0].ip: Invalid value: "": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"#),
        Case("alias name", Manifest.pod(spec: "hostAliases: [{ip: 10.0.0.1, hostnames: [ok, Not_OK]}]"),
             #"spec.hostAliases[0].hostnames[1]: Invalid value: "Not_OK": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"#),
        Case("unknown dns policy", Manifest.pod(spec: "dnsPolicy: ClusterOnly"),
             #"spec.dnsPolicy: Unsupported value: "ClusterOnly": supported values: "ClusterFirstWithHostNet", "ClusterFirst", "Default", "None""#),
        Case("None without dnsConfig", Manifest.pod(spec: "dnsPolicy: None"),
             "spec.dnsConfig: Required value: must provide `dnsConfig` when `dnsPolicy` is None"),
        Case("None without nameservers", Manifest.pod(spec: "dnsPolicy: None\ndnsConfig: {searches: [example.com]}"),
             "spec.dnsConfig.nameservers: Required value: must provide at least one DNS nameserver when `dnsPolicy` is None"),
        Case("four nameservers", Manifest.pod(spec: "dnsConfig: {nameservers: [1.1.1.1, 1.0.0.1, 8.8.8.8, 9.9.9.9]}"),
             #"spec.dnsConfig.nameservers: Invalid value: []string{"1.1.1.1", "1.0.0.1", "8.8.8.8", "9.9.9.9"}: must not have more than 3 nameservers"#),
        Case("nameserver not an address", Manifest.pod(spec: "dnsConfig: {nameservers: [dns.example]}"),
             #"spec.dnsConfig.nameservers[0]: Invalid value: "dns.example": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"#),
        Case("33 searches", Manifest.pod(spec: "dnsConfig: {searches: [\((1...33).map { "s\($0)" }.joined(separator: ", "))]}"),
             "spec.dnsConfig.searches: Invalid value: []string{\((1...33).map { "\"s\($0)\"" }.joined(separator: ", "))}: must not have more than 32 search paths"),
        Case("search not a domain", Manifest.pod(spec: "dnsConfig: {searches: [good.example., bad_domain]}"),
             #"spec.dnsConfig.searches[1]: Invalid value: "bad_domain": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"#),
        Case("option without a name", Manifest.pod(spec: #"dnsConfig: {options: [{value: "2"}]}"#),
             "spec.dnsConfig.options[0]: Required value: must not be empty"),
        Case("host port out of range", Manifest.pod(container: "ports: [{containerPort: 80, hostPort: 70000}]"),
             "spec.containers[0].ports[0].hostPort: Invalid value: 70000: must be between 1 and 65535, inclusive"),
        Case("host IP not an address", Manifest.pod(container: "ports: [{containerPort: 80, hostPort: 8080, hostIP: localhost}]"),
             #"spec.containers[0].ports[0].hostIP: Invalid value: "localhost": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"#),
        Case("unknown protocol", Manifest.pod(container: "ports: [{containerPort: 80, protocol: ICMP}]"),
             #"spec.containers[0].ports[0].protocol: Unsupported value: "ICMP": supported values: "SCTP", "TCP", "UDP""#),
        Case("hostNetwork with another hostPort", Manifest.pod(spec: "hostNetwork: true",
                                                               container: "ports: [{containerPort: 80, hostPort: 8080}]"),
             "spec.containers[0].ports[0].hostPort: Invalid value: 8080: must match `containerPort` when `hostNetwork` is true"),
        Case("one hostPort twice in a pod", """
            apiVersion: v1
            kind: Pod
            metadata: {name: web}
            spec:
              containers:
              - {name: a, image: rootfs, ports: [{containerPort: 80, hostPort: 8080}]}
              - {name: b, image: rootfs, ports: [{containerPort: 81, hostPort: 8080}]}
            """, #"spec.containers[1].ports[0].hostPort: Duplicate value: "TCP//8080""#),
        Case("one hostPort twice on one address", Manifest.pod(container: """
            ports:
            - {containerPort: 80, hostPort: 8080, hostIP: 127.0.0.1, protocol: UDP}
            - {containerPort: 81, hostPort: 8080, hostIP: 127.0.0.1, protocol: UDP}
            """), #"spec.containers[0].ports[1].hostPort: Duplicate value: "UDP/127.0.0.1/8080""#),
        Case("hostNetwork makes equal container ports collide", """
            apiVersion: v1
            kind: Pod
            metadata: {name: web}
            spec:
              hostNetwork: true
              containers:
              - {name: a, image: rootfs, ports: [{containerPort: 80}]}
              - {name: b, image: rootfs, ports: [{containerPort: 80}]}
            """, #"spec.containers[1].ports[0].hostPort: Duplicate value: "TCP//80""#),
        Case("hostNetwork is a boolean", Manifest.pod(spec: "hostNetwork: yes"),
             "spec.hostNetwork: Invalid value: yes: must be a boolean: true or false"),
    ]

    @Test(arguments: rules) func networkRules(_ testCase: Case) {
        #expect(fieldErrors(in: testCase.yaml) == testCase.expected)
    }

    @Test func aSearchListLongerThan2048CharactersIsRefused() {
        let searches = "abcdefghi".map { String(repeating: $0, count: 250) }
        let errors = fieldErrors(in: Manifest.pod(spec: "dnsConfig: {searches: [\(searches.joined(separator: ", "))]}"))
        #expect(errors.count == 1)
        #expect(errors.first?.hasPrefix("spec.dnsConfig.searches: Invalid value: []string{") == true)
        #expect(errors.first?.hasSuffix("}: must not have more than 2048 characters (including spaces) in the search list") == true)
    }

    @Test func ipv6AndIPv4MappedAddressesAreValid() throws {
        let spec = try pod(Manifest.pod(spec: #"hostAliases: [{ip: "::1"}, {ip: "::ffff:10.0.0.1"}, {ip: "fe80::1:2:3"}]"#)).spec
        #expect(spec.hostAliases.map(\.ip) == ["::1", "::ffff:10.0.0.1", "fe80::1:2:3"])
    }
}
