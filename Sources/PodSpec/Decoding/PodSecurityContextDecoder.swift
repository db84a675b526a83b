/// `spec.securityContext`, validated as the API server does (pkg/apis/core/validation:
/// ValidatePodSecurityContext, validateSysctls).
enum PodSecurityContextDecoder {
    static func decode(_ spec: ObjectReader, hostNetwork: Bool) -> PodSecurityContext? {
        guard let context = spec.object("securityContext", schema: .podSecurityContext) else { return nil }
        let diagnostics = context.diagnostics
        let runAsUser = context.int64("runAsUser")
        let runAsGroup = context.int64("runAsGroup")
        let fsGroup = context.int64("fsGroup")
        for (key, id) in [("runAsUser", runAsUser), ("runAsGroup", runAsGroup), ("fsGroup", fsGroup)] {
            if let id { checkID(id, at: context.path.child(key), diagnostics) }
        }
        var supplementalGroups: [Int64] = []
        for element in context.list("supplementalGroups") {
            guard let gid = ValueDecoder.integer(element.node, at: element.path, bits: 64, diagnostics) else { continue }
            checkID(gid, at: element.path, diagnostics)
            supplementalGroups.append(gid)
        }
        return PodSecurityContext(
            runAsUser: runAsUser, runAsGroup: runAsGroup, runAsNonRoot: context.bool("runAsNonRoot"),
            supplementalGroups: supplementalGroups, fsGroup: fsGroup,
            sysctls: sysctls(context, hostNetwork: hostNetwork),
            seccompProfile: context.object("seccompProfile", schema: .seccompProfile)
                .flatMap(SecurityContextDecoder.decodeSeccomp))
    }

    private static func checkID(_ id: Int64, at path: FieldPath, _ diagnostics: Diagnostics) {
        if !(0...Int64(Int32.max)).contains(id) {
            diagnostics.invalid(path, .int(id), "must be between 0 and 2147483647, inclusive")
        }
    }

    private static func sysctls(_ context: ObjectReader, hostNetwork: Bool) -> [Sysctl] {
        let diagnostics = context.diagnostics
        var seen: Set<String> = []
        var result: [Sysctl] = []
        for reader in context.objects("sysctls", schema: .sysctl) {
            let namePath = reader.path.child("name")
            let written = reader.string("name") ?? ""
            let value = reader.string("value") ?? ""
            if written.isEmpty {
                diagnostics.required(namePath)
                continue
            }
            guard SysctlNames.isValid(written) else {
                diagnostics.invalid(namePath, .string(written), SysctlNames.invalidMessage)
                continue
            }
            let name = SysctlNames.dotted(written)
            guard seen.insert(name).inserted else {
                diagnostics.duplicate(namePath, written)
                continue
            }
            if hostNetwork && SysctlNames.namespace(of: name) == .net {
                diagnostics.invalid(namePath, .string(written), "may not be specified when 'hostNetwork' is true")
            }
            result.append(Sysctl(name: name, value: value))
        }
        return result
    }
}
