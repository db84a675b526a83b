/// `spec.initContainers`, with the API server's rules for them (pkg/apis/core/validation/
/// validation.go `validateInitContainers`): the common container rules, `restartPolicy` only
/// `Always`, names unique across init and app containers, host ports checked per container
/// (they run one at a time), and no lifecycle or probes unless `restartPolicy` is `Always`.
enum InitContainerDecoder {
    static func decode(_ spec: ObjectReader, appContainers: [Container], volumeNames: Set<String>,
                       baseDirectory: String, hostNetwork: Bool) -> [Container] {
        var names = Set(appContainers.map(\.name).filter { !$0.isEmpty })
        let path = spec.path.child("initContainers")
        var result: [Container] = []
        for reader in spec.objects("initContainers", schema: .container) {
            var container = ContainerDecoder.decode(reader, volumeNames: volumeNames, baseDirectory: baseDirectory)
            let diagnostics = reader.diagnostics
            if reader.has("restartPolicy") {
                container.restartPolicy = reader.enumeration("restartPolicy", default: ContainerRestartPolicy.always,
                                                             supported: [.always])
            }
            if !container.name.isEmpty, !names.insert(container.name).inserted {
                diagnostics.duplicate(reader.path.child("name"), container.name)
            }
            if !container.isRestartableInit {
                let message = "may not be set for init containers without restartPolicy=Always"
                for key in ["lifecycle", "livenessProbe", "readinessProbe", "startupProbe"] where reader.has(key) {
                    diagnostics.forbidden(reader.path.child(key), message)
                }
                container.livenessProbe = nil
                container.readinessProbe = nil
                container.startupProbe = nil
            }
            result.append(container)
        }
        if hostNetwork { HostPortRules.defaultForHostNetwork(&result) }
        // Init containers run one at a time: their host ports clash only within one container.
        // The API server checks each as a list of one (`checkHostPortConflicts([]core.Container{ctr},
        // fldPath)`), so its errors say `initContainers[0]` whichever container it is; so do ours.
        for container in result {
            HostPortRules.checkUnique([container], path: path, diagnostics: spec.diagnostics)
        }
        if hostNetwork { HostPortRules.checkHostNetwork(result, path: path, diagnostics: spec.diagnostics) }
        return result
    }

    /// `restartPolicy` on an app container (validateContainers, SidecarContainers without
    /// ContainerRestartRules): forbidden.
    static func checkAppRestartPolicy(_ readers: [ObjectReader]) {
        for reader in readers where reader.has("restartPolicy") {
            reader.diagnostics.forbidden(reader.path.child("restartPolicy"), "may not be set for non-init containers")
        }
    }
}
