/// `spec.volumes` and the `volumeMounts` that refer to them.
enum VolumeDecoder {
    /// The volumes, and the names a mount may refer to.
    static func volumes(_ spec: ObjectReader) -> (volumes: [Volume], names: Set<String>) {
        var volumes: [Volume] = []
        var names: Set<String> = []
        for volume in spec.objects("volumes", schema: .volume) {
            let diagnostics = volume.diagnostics
            let name = volume.string("name") ?? ""
            if name.isEmpty {
                diagnostics.required(volume.path.child("name"))
            } else {
                diagnostics.invalid(volume.path.child("name"), name, NameRules.dns1123Label(name))
                if !names.insert(name).inserted { diagnostics.duplicate(volume.path.child("name"), name) }
            }

            // validateVolumeSource's order: the first is decoded, the others refused.
            let sources = ["emptyDir", "hostPath", "secret", "downwardAPI", "configMap", "projected"].filter(volume.has)
            if sources.isEmpty, volume.unsupportedPresent.isEmpty {
                diagnostics.required(volume.path, "must specify a volume type")
            }
            for extra in sources.dropFirst() {
                diagnostics.forbidden(volume.path.child(extra), "may not specify more than 1 volume type")
            }
            let source: VolumeSource? = switch sources.first {
            case "emptyDir": volume.object("emptyDir", schema: .emptyDir).map { .emptyDir(decodeEmptyDir($0)) }
            case "hostPath": volume.object("hostPath", schema: .hostPath).map { .hostPath(decodeHostPath($0)) }
            case "configMap": volume.object("configMap", schema: .configMapVolume).map { .configMap(ConfigVolumeDecoder.configMap($0)) }
            case "secret": volume.object("secret", schema: .secretVolume).map { .secret(ConfigVolumeDecoder.secret($0)) }
            case "downwardAPI":
                volume.object("downwardAPI", schema: .downwardAPIVolume).map { .downwardAPI(ConfigVolumeDecoder.downwardAPI($0)) }
            case "projected": volume.object("projected", schema: .projectedVolume).map { .projected(ConfigVolumeDecoder.projected($0)) }
            default: nil
            }
            if let source { volumes.append(Volume(name: name, source: source)) }
        }
        return (volumes, names)
    }

    static func mounts(_ container: ObjectReader, volumeNames: Set<String>) -> [VolumeMount] {
        var mountPoints: Set<String> = []
        return container.objects("volumeMounts", schema: .volumeMount).map { mount in
            let diagnostics = mount.diagnostics
            let name = mount.string("name") ?? ""
            if name.isEmpty {
                diagnostics.required(mount.path.child("name"))
            } else if !volumeNames.contains(name) {
                diagnostics.notFound(mount.path.child("name"), name)
            }
            let mountPath = mount.string("mountPath") ?? ""
            let mountPathField = mount.path.child("mountPath")
            if mountPath.isEmpty {
                diagnostics.required(mountPathField)
            } else {
                diagnostics.invalid(mountPathField, mountPath, PathRules.absoluteWithoutBacksteps(mountPath))
                // `/data` and `/data/` are one mount point.
                if !mountPoints.insert(PathRules.clean(mountPath)).inserted {
                    diagnostics.invalid(mountPathField, .string(mountPath), "must be unique")
                }
            }
            // validateVolumeMounts: both relative and without `..`, and not both.
            let subPath = mount.string("subPath") ?? ""
            let subPathExpr = mount.string("subPathExpr") ?? ""
            if !subPath.isEmpty {
                diagnostics.invalid(mount.path.child("subPath"), subPath, PathRules.relativeWithoutBacksteps(subPath))
            }
            if !subPathExpr.isEmpty {
                if !subPath.isEmpty {
                    diagnostics.invalid(mount.path.child("subPathExpr"), .string(subPathExpr),
                                        "subPathExpr and subPath are mutually exclusive")
                }
                diagnostics.invalid(mount.path.child("subPathExpr"), subPathExpr, PathRules.relativeWithoutBacksteps(subPathExpr))
            }
            return VolumeMount(name: name, mountPath: mountPath, readOnly: mount.bool("readOnly") ?? false,
                               subPath: subPath, subPathExpr: subPathExpr)
        }
    }

    private static func decodeEmptyDir(_ emptyDir: ObjectReader) -> EmptyDirVolumeSource {
        let medium = emptyDir.enumeration("medium", default: StorageMedium.default, supported: [.default, .memory])
        let sizeLimit = emptyDir.quantity("sizeLimit")
        if let sizeLimit, sizeLimit.isNegative {
            emptyDir.diagnostics.forbidden(emptyDir.path.child("sizeLimit"),
                                           "SizeLimit field must be a valid resource quantity")
        }
        return EmptyDirVolumeSource(medium: medium, sizeLimit: sizeLimit)
    }

    private static func decodeHostPath(_ hostPath: ObjectReader) -> HostPathVolumeSource {
        let path = hostPath.string("path") ?? ""
        if path.isEmpty {
            hostPath.diagnostics.required(hostPath.path.child("path"))
        } else {
            hostPath.diagnostics.invalid(hostPath.path.child("path"), path, PathRules.absoluteWithoutBacksteps(path))
        }
        let type = hostPath.enumeration("type", default: HostPathType.unset,
                                        supported: [.unset, .blockDevice, .charDevice, .directory,
                                                    .directoryOrCreate, .file, .fileOrCreate, .socket])
        return HostPathVolumeSource(path: path, type: type)
    }
}
