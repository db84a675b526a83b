/// A container's `securityContext`.
enum SecurityContextDecoder {
    static func decode(_ context: ObjectReader) -> SecurityContext {
        let diagnostics = context.diagnostics
        let runAsUser = context.int64("runAsUser")
        let runAsGroup = context.int64("runAsGroup")
        for (key, id) in [("runAsUser", runAsUser), ("runAsGroup", runAsGroup)] {
            if let id, !(0...Int64(Int32.max)).contains(id) {
                diagnostics.invalid(context.path.child(key), .int(id), "must be between 0 and 2147483647, inclusive")
            }
        }
        let capabilities = context.object("capabilities", schema: .capabilities).map { capabilities in
            Capabilities(add: decodeCapabilities(capabilities, "add"), drop: decodeCapabilities(capabilities, "drop"))
        }
        var result = SecurityContext(
            runAsUser: runAsUser,
            runAsGroup: runAsGroup,
            readOnlyRootFilesystem: context.bool("readOnlyRootFilesystem"),
            allowPrivilegeEscalation: context.bool("allowPrivilegeEscalation"),
            privileged: context.bool("privileged"),
            capabilities: capabilities,
            seccompProfile: context.object("seccompProfile", schema: .seccompProfile).flatMap(decodeSeccomp))
        result.runAsNonRoot = context.bool("runAsNonRoot")

        // no_new_privs cannot hold for a privileged process or one that may mount.
        if result.allowPrivilegeEscalation == false {
            if result.privileged == true {
                diagnostics.invalid(context.path, nil,
                                    "cannot set `allowPrivilegeEscalation` to false and `privileged` to true")
            }
            if capabilities?.add.contains(where: { $0.name == "SYS_ADMIN" }) == true {
                diagnostics.invalid(context.path, nil,
                                    "cannot set `allowPrivilegeEscalation` to false and `capabilities.Add` CAP_SYS_ADMIN")
            }
        }
        return result
    }

    private static func decodeCapabilities(_ capabilities: ObjectReader, _ key: String) -> [Capability] {
        capabilities.list(key).compactMap { element in
            guard let text = ValueDecoder.string(element.node, at: element.path, capabilities.diagnostics) else {
                return nil
            }
            guard let capability = Capability(text) else {
                capabilities.diagnostics.invalid(element.path, .string(text),
                                                 "must be a Linux capability, such as NET_ADMIN or CAP_NET_ADMIN, or ALL")
                return nil
            }
            return capability
        }
    }

    static func decodeSeccomp(_ profile: ObjectReader) -> SeccompProfile? {
        let diagnostics = profile.diagnostics
        let typePath = profile.path.child("type")
        let localhostPath = profile.path.child("localhostProfile")
        let localhostProfile = profile.string("localhostProfile")
        let type = profile.string("type") ?? ""
        if type != "Localhost", let localhostProfile {
            diagnostics.invalid(localhostPath, .string(localhostProfile), "can only be set when seccomp type is Localhost")
        }
        switch type {
        case "RuntimeDefault":
            return .runtimeDefault
        case "Unconfined":
            return .unconfined
        case "Localhost":
            guard let localhostProfile else {
                diagnostics.required(localhostPath, "must be set when seccomp type is Localhost")
                return nil
            }
            diagnostics.invalid(localhostPath, localhostProfile, PathRules.relativeWithoutBacksteps(localhostProfile))
            return .localhost(localhostProfile)
        case "":
            diagnostics.required(typePath, "type is required when seccompProfile is set")
            return nil
        default:
            diagnostics.unsupported(typePath, type, supported: ["Localhost", "RuntimeDefault", "Unconfined"])
            return nil
        }
    }
}
