import PodSpec

/// The `/etc/hosts` the kubelet writes for a pod's containers (k8s `pkg/kubelet/kubelet_pods.go`:
/// `managedHostsFileContent`, `nodeHostsFileContent`, `hostsEntriesFromHostAliases`), byte for byte,
/// so that programs that read it find what they would under the kubelet.
public enum HostsFile {
    /// A pod with its own network namespace: localhost, the IPv6 names, the pod's own name on
    /// each of its IPs, then the aliases.
    public static func podNetwork(podIPs: [String], hostname: String, subdomain: String?, namespace: String,
                                  clusterDomain: String = "cluster.local", hostAliases: [HostAlias]) -> String {
        var content = "# Kubernetes-managed hosts file.\n"
        content += "127.0.0.1\tlocalhost\n"
        content += "::1\tlocalhost ip6-localhost ip6-loopback\n"
        content += "fe00::0\tip6-localnet\n"
        content += "fe00::0\tip6-mcastprefix\n"
        content += "fe00::1\tip6-allnodes\n"
        content += "fe00::2\tip6-allrouters\n"
        for ip in podIPs {
            if let subdomain, !subdomain.isEmpty {
                // The name a headless service with this subdomain gives the pod.
                content += "\(ip)\t\(hostname).\(subdomain).\(namespace).svc.\(clusterDomain)\t\(hostname)\n"
            } else {
                content += "\(ip)\t\(hostname)\n"
            }
        }
        return content + aliasEntries(hostAliases)
    }

    /// A hostNetwork pod: the node's own file, marked as managed, then the aliases.
    public static func hostNetwork(nodeHostsFile: String, hostAliases: [HostAlias]) -> String {
        "# Kubernetes-managed hosts file (host network).\n" + nodeHostsFile + aliasEntries(hostAliases)
    }

    /// The pod's hostname (`GeneratePodHostNameAndDomain`): `spec.hostname`, else the pod name,
    /// cut to the 63 bytes `sethostname` takes without a trailing `-` or `.` (`truncatePodHostnameIfNeeded`).
    public static func podHostname(podName: String, hostname: String?) -> String {
        let name = hostname.flatMap { $0.isEmpty ? nil : $0 } ?? podName
        let maximum = 63
        guard name.utf8.count > maximum else { return name }
        // Pod names are DNS subdomains, so ASCII: bytes and characters agree.
        var truncated = String(decoding: name.utf8.prefix(maximum), as: UTF8.self)
        while let last = truncated.last, last == "-" || last == "." { truncated.removeLast() }
        return truncated.isEmpty ? name : truncated
    }

    /// One line per alias, its names separated by tabs, after an empty line and a header.
    private static func aliasEntries(_ aliases: [HostAlias]) -> String {
        guard !aliases.isEmpty else { return "" }
        var entries = "\n# Entries added by HostAliases.\n"
        for alias in aliases {
            entries += alias.ip + "\t" + alias.hostnames.joined(separator: "\t") + "\n"
        }
        return entries
    }
}
