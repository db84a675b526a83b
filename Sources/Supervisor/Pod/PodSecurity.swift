import ContainerRuntime
import GoFormat
import PodSpec

/// The pod's `securityContext` applied to one container, as the kubelet applies it.
public enum PodSecurity {
    /// The container's securityContext with the pod's values for the fields it leaves unset
    /// (pkg/securitycontext/util.go DetermineEffectiveSecurityContext: runAsUser, runAsGroup,
    /// runAsNonRoot; the seccomp profile as kuberuntime's getSeccompProfile picks it: the
    /// container's, else the pod's). Nil when neither sets anything.
    static func effective(pod: Pod, container: PodSpec.Container) -> SecurityContext? {
        guard let podContext = pod.spec.securityContext else { return container.securityContext }
        var merged = container.securityContext ?? SecurityContext()
        if merged.runAsUser == nil { merged.runAsUser = podContext.runAsUser }
        if merged.runAsGroup == nil { merged.runAsGroup = podContext.runAsGroup }
        if merged.runAsNonRoot == nil { merged.runAsNonRoot = podContext.runAsNonRoot }
        if merged.seccompProfile == nil { merged.seccompProfile = podContext.seccompProfile }
        return merged
    }

    /// The group the pod's volumes are to belong to (`spec.securityContext.fsGroup`), for the
    /// code that prepares volumes; every container also gets it as a supplementary group.
    public static func fsGroup(_ pod: Pod) -> Int64? { pod.spec.securityContext?.fsGroup }

    /// The supplementary groups every container of the pod gets on top of its image's:
    /// `supplementalGroups`, then `fsGroup` (kuberuntime's determineEffectiveSecurityContext).
    static func supplementalGroups(_ pod: Pod) -> [UInt32] {
        let context = pod.spec.securityContext
        return ((context?.supplementalGroups ?? []) + (context?.fsGroup.map { [$0] } ?? [])).map { UInt32($0) }
    }

    /// The pod's sysctls, for the container's OCI `linux.sysctl`. They live in the pod's network
    /// (`net.*`) and ipc (`kernel.shm*`) namespaces, which every container joins from the
    /// sandbox, so each container writes the same values into the same namespaces as it starts.
    static func sysctls(_ pod: Pod) -> [String: String] {
        Dictionary((pod.spec.securityContext?.sysctls ?? []).map { ($0.name, $0.value) }) { _, last in last }
    }

    /// Applies the pod-wide part to a container's OCI config: supplementary groups and sysctls.
    /// The merged user, group and seccomp fields are applied with the container's own.
    static func applyPodWide(_ pod: Pod, to spec: inout OCISpec) {
        for gid in supplementalGroups(pod) where spec.process?.user.additionalGids.contains(gid) == false {
            spec.process?.user.additionalGids.append(gid)
        }
        for (name, value) in sysctls(pod) { spec.linux?.sysctl[name] = value }
    }

    /// The kubelet's admission of the pod's sysctls (pkg/kubelet/sysctl/allowlist.go): a pod
    /// with one outside the safe set never starts; the error names it with the kubelet's reason
    /// and message.
    static func admit(_ pod: Pod) throws {
        guard let sysctls = pod.spec.securityContext?.sysctls,
              let message = SysctlNames.admissionError(sysctls, hostNetwork: pod.spec.hostNetwork) else { return }
        throw SupervisorError("pod \"\(pod.name)\": \(SysctlNames.forbiddenReason): \(message)")
    }

    /// The kubelet's runAsNonRoot check (pkg/kubelet/kuberuntime/security_context_others.go,
    /// verifyRunAsNonRoot) for a container about to be created: `imageUID` is the image's numeric
    /// user, nil with `imageUser` when the image names its user; an image with neither runs as
    /// root (getImageUser). The error keeps the container from being created.
    static func verifyRunAsNonRoot(pod: Pod, podUID: String, container: PodSpec.Container,
                                   imageUID: Int64?, imageUser: String = "") throws(ContainerConfigError) {
        guard let context = effective(pod: pod, container: container), context.runAsNonRoot == true else { return }
        let subject = "(pod: \(goQuoted("\(pod.name)_\(pod.metadata.namespace)(\(podUID))")), container: \(container.name))"
        if let uid = context.runAsUser {
            if uid == 0 { throw ContainerConfigError("container's runAsUser breaks non-root policy \(subject)") }
            return
        }
        let uid: Int64? = imageUID ?? (imageUser.isEmpty ? 0 : nil)
        guard let uid else {
            throw ContainerConfigError("container has runAsNonRoot and image has non-numeric user (\(imageUser)), cannot verify user is non-root \(subject)")
        }
        if uid == 0 { throw ContainerConfigError("container has runAsNonRoot and image will run as root \(subject)") }
        if !(0...Int64(Int32.max)).contains(uid) {
            throw ContainerConfigError("container has runAsNonRoot and image has an invalid user id (\(uid)). (Must be 1-(\(Int32.max))): must be between 0 and 2147483647, inclusive \(subject)")
        }
    }
}

