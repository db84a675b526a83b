/// How long a container gets between SIGTERM and SIGKILL: the kubelet's `killContainer`.
public enum GracePeriod {
    /// Always given, "to avoid unnecessary SIGKILLs" (`minimumGracePeriodInSeconds`).
    public static let minimumSeconds: Int64 = 2
    /// `spec.terminationGracePeriodSeconds` when the pod does not set it.
    public static let defaultSeconds: Int64 = 30

    /// In the kubelet's order: a pod being deleted uses its deletion grace period, full stop;
    /// otherwise the pod's, unless a probe failure caused the kill and that probe sets its own
    /// (`probeGraceSeconds`: the liveness probe's for a liveness kill, the startup probe's for a
    /// startup kill). Then at least 2 s, except that an explicit override (`--grace-period` on a
    /// forced stop) is taken as given.
    public static func seconds(
        for reason: KillReason,
        podGraceSeconds: Int64 = defaultSeconds,
        probeGraceSeconds: Int64? = nil,
        deletionGraceSeconds: Int64? = nil,
        overrideSeconds: Int64? = nil
    ) -> Int64 {
        var grace = podGraceSeconds
        if let deletionGraceSeconds {
            grace = deletionGraceSeconds
        } else if reason.probe != nil, let probeGraceSeconds {
            grace = probeGraceSeconds
        }
        grace = max(grace, minimumSeconds)
        return overrideSeconds ?? grace
    }
}
