import Glibc

/// A supervisor holds a few descriptors per pod (pidfds, the sandbox's namespace, log pipes),
/// so the usual soft limit of 1024 runs out near 150 pods. Like containerd and the kubelet, the
/// supervisor raises its soft limit to the hard one; containers keep the limit their spec sets.
public enum OpenFileLimit {
    /// Descriptors one pod with one container holds, measured (6) plus room for probes in flight.
    public static let perPod = 8
    /// Descriptors the supervisor needs besides its pods.
    public static let base = 64

    /// Raises the soft limit to the hard limit (never above it) and returns the new soft limit.
    @discardableResult
    public static func raiseToHard() -> Int {
        var limit = rlimit()
        guard getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 1024 }
        if limit.rlim_cur < limit.rlim_max {
            var raised = limit
            raised.rlim_cur = limit.rlim_max
            if setrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &raised) == 0 { limit = raised }
        }
        return Int(clamping: limit.rlim_cur)
    }

    /// An error naming the limit when `pods` pods cannot fit under it.
    public static func check(pods: Int, containers: Int, limit: Int) -> String? {
        let needed = base + perPod * max(pods, containers)
        guard needed > limit else { return nil }
        return "\(pods) pods need about \(needed) open files, but the limit is \(limit) (RLIMIT_NOFILE hard limit; raise it with ulimit -Hn or LimitNOFILE=)"
    }
}
