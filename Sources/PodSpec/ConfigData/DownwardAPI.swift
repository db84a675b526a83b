import GoFormat

/// `fieldRef`: a field of the pod, by its path (`metadata.labels['app']`).
public struct ObjectFieldSelector: Sendable, Equatable {
    /// Only `v1`.
    public var apiVersion: String
    public var fieldPath: String

    public init(apiVersion: String = "v1", fieldPath: String) {
        self.apiVersion = apiVersion
        self.fieldPath = fieldPath
    }
}

/// `resourceFieldRef`: a container's limit or request (`limits.memory`), in units of `divisor`.
public struct ResourceFieldSelector: Sendable, Equatable {
    /// Empty in `env` means the container itself; required in volumes.
    public var containerName: String
    public var resource: String
    /// Defaults to `1`.
    public var divisor: Quantity?

    public init(containerName: String = "", resource: String, divisor: Quantity? = nil) {
        self.containerName = containerName
        self.resource = resource
        self.divisor = divisor
    }
}

/// What the downward API exposes beyond the pod spec: known only once the pod runs on a node.
public struct DownwardAPIContext: Sendable, Equatable {
    public var uid: String
    public var podIPs: [String]
    public var hostIPs: [String]
    public var nodeName: String
    /// A limit that is not set reads as the node's allocatable amount, as the kubelet reports it.
    public var nodeCPUMillicores: Int64
    public var nodeMemoryBytes: Int64

    public init(uid: String, podIPs: [String], hostIPs: [String], nodeName: String,
                nodeCPUMillicores: Int64, nodeMemoryBytes: Int64) {
        self.uid = uid
        self.podIPs = podIPs
        self.hostIPs = hostIPs
        self.nodeName = nodeName
        self.nodeCPUMillicores = nodeCPUMillicores
        self.nodeMemoryBytes = nodeMemoryBytes
    }
}

/// The kubelet's downward API values (pkg/fieldpath/fieldpath.go, pkg/kubelet/kubelet_pods.go
/// podFieldSelectorRuntimeValue, pkg/api/v1/resource/helpers.go ExtractContainerResourceValue).
public enum DownwardAPI {
    /// Field paths `env[].valueFrom.fieldRef` accepts (besides subscripted labels and annotations).
    public static let envFieldPaths = ["metadata.name", "metadata.namespace", "metadata.uid", "spec.nodeName",
                                       "spec.serviceAccountName", "status.hostIP", "status.hostIPs",
                                       "status.podIP", "status.podIPs"]
    /// Field paths a `downwardAPI` volume item accepts (besides subscripted labels and annotations).
    public static let volumeFieldPaths = ["metadata.annotations", "metadata.labels", "metadata.name",
                                          "metadata.namespace", "metadata.uid"]
    /// Resources a `resourceFieldRef` may name.
    public static let resources = ["limits.cpu", "limits.ephemeral-storage", "limits.memory",
                                   "requests.cpu", "requests.ephemeral-storage", "requests.memory"]

    /// The value of a field path; nil for a path this API does not have (validation refuses those).
    public static func fieldValue(_ fieldPath: String, pod: Pod, context: DownwardAPIContext) -> String? {
        if let key = subscriptKey(fieldPath, of: "metadata.labels") { return pod.metadata.labels[key] ?? "" }
        if let key = subscriptKey(fieldPath, of: "metadata.annotations") { return pod.metadata.annotations[key] ?? "" }
        switch fieldPath {
        case "metadata.name": return pod.metadata.name
        case "metadata.namespace": return pod.metadata.namespace
        case "metadata.uid": return context.uid
        case "metadata.labels": return formatMap(pod.metadata.labels)
        case "metadata.annotations": return formatMap(pod.metadata.annotations)
        case "spec.nodeName": return context.nodeName
        case "spec.serviceAccountName": return "default"
        case "status.podIP": return context.podIPs.first ?? ""
        case "status.podIPs": return context.podIPs.joined(separator: ",")
        case "status.hostIP": return context.hostIPs.first ?? ""
        case "status.hostIPs": return context.hostIPs.joined(separator: ",")
        default: return nil
        }
    }

    /// A container's limit or request divided by the divisor, rounded up; nil for a resource this
    /// API does not have. An unset limit is the node's allocatable amount; an unset request is
    /// its limit when that is set, else 0.
    public static func resourceValue(_ selector: ResourceFieldSelector, container: Container,
                                     context: DownwardAPIContext) -> String? {
        let resources = container.resources
        let value: Int64  // millicores for CPU, bytes otherwise
        let divisorValue: Int64
        switch selector.resource {
        case "limits.cpu":
            value = resources.limits.cpuMillicores ?? context.nodeCPUMillicores
        case "requests.cpu":
            value = resources.requests.cpuMillicores ?? resources.limits.cpuMillicores ?? 0
        case "limits.memory":
            value = resources.limits.memoryBytes ?? context.nodeMemoryBytes
        case "requests.memory":
            value = resources.requests.memoryBytes ?? resources.limits.memoryBytes ?? 0
        case "limits.ephemeral-storage", "requests.ephemeral-storage":
            // swiftlet sets no ephemeral-storage limits; the kubelet reports the node's capacity,
            // which swiftlet does not track: 0 says "none set".
            value = 0
        default:
            return nil
        }
        if selector.resource.hasSuffix(".cpu") {
            divisorValue = selector.divisor?.milliValue ?? 1000
        } else {
            divisorValue = selector.divisor?.value ?? 1
        }
        guard divisorValue > 0 else { return nil }
        // Kubernetes rounds up: 250m with divisor 1 is "1".
        let quotient = value / divisorValue + (value % divisorValue == 0 ? 0 : 1)
        return String(quotient)
    }

    /// `metadata.labels['app']` → `app` for the prefix `metadata.labels`.
    public static func subscriptKey(_ fieldPath: String, of prefix: String) -> String? {
        guard fieldPath.hasPrefix(prefix + "['"), fieldPath.hasSuffix("']") else { return nil }
        let start = fieldPath.index(fieldPath.startIndex, offsetBy: prefix.count + 2)
        let end = fieldPath.index(fieldPath.endIndex, offsetBy: -2)
        guard start <= end else { return nil }
        return String(fieldPath[start..<end])
    }

    /// Labels and annotations in a volume file: `key="value"` lines, sorted by key, Go-quoted.
    public static func formatMap(_ map: [String: String]) -> String {
        map.keys.sorted().map { "\($0)=\(goQuoted(map[$0]!))" }.joined(separator: "\n")
    }
}
