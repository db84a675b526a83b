/// `resources.limits` and `resources.requests` for `cpu` and `memory`.
enum ResourcesDecoder {
    static func decode(_ resources: ObjectReader?) -> ResourceRequirements {
        guard let resources else { return ResourceRequirements() }
        let limits = decodeList(resources, "limits")
        var requests = decodeList(resources, "requests")

        let requestsPath = resources.path.child("requests")
        for (name, request, limit) in [("cpu", requests.cpu, limits.cpu), ("memory", requests.memory, limits.memory)] {
            if let request, let limit, request > limit {
                resources.diagnostics.invalid(requestsPath, .string(request.text),
                                              "must be less than or equal to \(name) limit of \(limit.text)")
            }
        }
        // A request left out defaults to its limit, as Kubernetes' SetDefaults_Pod does.
        requests.cpu = requests.cpu ?? limits.cpu
        requests.memory = requests.memory ?? limits.memory
        return ResourceRequirements(limits: limits, requests: requests)
    }

    private static func decodeList(_ resources: ObjectReader, _ key: String) -> ResourceList {
        let diagnostics = resources.diagnostics
        var list = ResourceList()
        for entry in resources.entries(key) {
            guard entry.key == "cpu" || entry.key == "memory" else {
                diagnostics.unsupported(entry.path, entry.key, supported: ["cpu", "memory"])
                continue
            }
            guard !entry.node.isNull, let quantity = ValueDecoder.quantity(entry.node, at: entry.path, diagnostics) else {
                continue
            }
            // The cgroup files take millicores and bytes as 64-bit numbers.
            if quantity.isNegative {
                diagnostics.invalid(entry.path, .string(quantity.text), "must be greater than or equal to 0")
            } else if entry.key == "cpu" {
                if quantity.milliValue == nil {
                    diagnostics.invalid(entry.path, .string(quantity.text), "must be at most \(Int64.max)m")
                }
                list.cpu = quantity
            } else {
                if quantity.value == nil {
                    diagnostics.invalid(entry.path, .string(quantity.text), "must be at most \(Int64.max) bytes")
                }
                list.memory = quantity
            }
        }
        return list
    }
}
