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

        let restartPolicy = spec.enumeration("restartPolicy", default: RestartPolicy.always,
                                             supported: [.always, .onFailure, .never])
        let gracePeriod = spec.int64("terminationGracePeriodSeconds") ?? 30
        if gracePeriod < 0 {
            diagnostics.invalid(path.child("terminationGracePeriodSeconds"), .int(gracePeriod),
                                "must be greater than or equal to 0")
        }
        return PodSpec(containers: containers, volumes: volumes.volumes, restartPolicy: restartPolicy,
                       terminationGracePeriodSeconds: gracePeriod)
    }
}
