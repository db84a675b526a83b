/// `spec`: the pod-wide settings and the containers, checked against the pod's volumes.
enum PodSpecDecoder {
    static func decode(_ spec: ObjectReader?, baseDirectory: String, diagnostics: Diagnostics) -> PodSpec {
        let path = FieldPath("spec")
        guard let spec else {
            diagnostics.required(path.child("containers"))
            return PodSpec(containers: [])
        }
        // In the order the API server validates, so errors list alike.
        let volumes = VolumeDecoder.volumes(spec)
        let readers = spec.objects("containers", schema: .container)
        if readers.isEmpty { diagnostics.required(path.child("containers")) }
        var containers: [Container] = []
        var names: Set<String> = []
        for reader in readers {
            let container = ContainerDecoder.decode(reader, volumeNames: volumes.names, baseDirectory: baseDirectory)
            if !container.name.isEmpty, !names.insert(container.name).inserted {
                diagnostics.duplicate(reader.path.child("name"), container.name)
            }
            containers.append(container)
        }
        InitContainerDecoder.checkAppRestartPolicy(readers)
        let hostNetwork = spec.bool("hostNetwork") ?? false
        // Service links are variables for the namespace's Services; there are none without a
        // cluster, so either value gives the environment the kubelet would give (type checked).
        _ = spec.bool("enableServiceLinks")
        if hostNetwork { HostPortRules.defaultForHostNetwork(&containers) }
        HostPortRules.checkUnique(containers, path: path.child("containers"), diagnostics: diagnostics)
        if hostNetwork {
            HostPortRules.checkHostNetwork(containers, path: path.child("containers"), diagnostics: diagnostics)
        }
        let initContainers = InitContainerDecoder.decode(spec, appContainers: containers, volumeNames: volumes.names,
                                                         baseDirectory: baseDirectory, hostNetwork: hostNetwork)

        let restartPolicy = spec.enumeration("restartPolicy", default: RestartPolicy.always,
                                             supported: [.always, .onFailure, .never])
        let gracePeriod = spec.int64("terminationGracePeriodSeconds") ?? 30
        if gracePeriod < 0 {
            diagnostics.invalid(path.child("terminationGracePeriodSeconds"), .int(gracePeriod),
                                "must be greater than or equal to 0")
        }
        let dnsPolicy = PodDNSDecoder.policy(spec)
        let dnsConfig = PodDNSDecoder.config(spec, policy: dnsPolicy)
        let hostname = label(spec, "hostname")
        let subdomain = label(spec, "subdomain")
        let hostAliases = HostAliasDecoder.decode(spec)
        var result = PodSpec(containers: containers, volumes: volumes.volumes, restartPolicy: restartPolicy,
                             terminationGracePeriodSeconds: gracePeriod, hostNetwork: hostNetwork, hostname: hostname,
                             subdomain: subdomain, hostAliases: hostAliases, dnsPolicy: dnsPolicy, dnsConfig: dnsConfig)
            .with(initContainers: initContainers)
        result.securityContext = PodSecurityContextDecoder.decode(spec, hostNetwork: hostNetwork)
        result.shareProcessNamespace = spec.bool("shareProcessNamespace") ?? false
        return result
    }

    /// `hostname` and `subdomain` become DNS names in `/etc/hosts`; "" means unset.
    private static func label(_ spec: ObjectReader, _ key: String) -> String? {
        guard let value = spec.string(key), !value.isEmpty else { return nil }
        spec.diagnostics.invalid(spec.path.child(key), value, NameRules.dns1123Label(value))
        return value
    }
}
