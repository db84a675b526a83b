import PodSpec

/// Kubernetes' QoS class (`GetPodQOS`), which `describe` and `status.qosClass` show.
enum QOSClass: String {
    case guaranteed = "Guaranteed"
    case burstable = "Burstable"
    case bestEffort = "BestEffort"

    static func of(_ pod: Pod) -> QOSClass {
        var anySet = false
        var guaranteed = true
        for c in pod.spec.containers {
            // Zero counts as unset; a request left out is its limit (API defaulting).
            let cpuLimit = positive(c.resources.limits.cpu), memoryLimit = positive(c.resources.limits.memory)
            let cpuRequest = positive(c.resources.requests.cpu) ?? cpuLimit
            let memoryRequest = positive(c.resources.requests.memory) ?? memoryLimit
            if cpuLimit != nil || memoryLimit != nil || cpuRequest != nil || memoryRequest != nil { anySet = true }
            if cpuLimit == nil || memoryLimit == nil || cpuRequest != cpuLimit || memoryRequest != memoryLimit {
                guaranteed = false
            }
        }
        if !anySet { return .bestEffort }
        return guaranteed ? .guaranteed : .burstable
    }

    private static func positive(_ quantity: Quantity?) -> Quantity? {
        guard let quantity, !quantity.isZero, !quantity.isNegative else { return nil }
        return quantity
    }
}
