import Foundation
import Glibc
import PodSpec
import Probes

/// What a container needs from outside its pod before it can be created: the ConfigMaps and
/// Secrets its environment names, and the downward API's values. The kubelet builds this in
/// generateContainerConfig (pkg/kubelet/kuberuntime/kuberuntime_container.go) on every start;
/// when a ConfigMap, Secret or key is missing the container stays Waiting with
/// `CreateContainerConfigError`, a `Failed` event says why, and the pod worker tries again
/// after its back-off period (pkg/kubelet/pod_workers.go: 10 s; here the supervisor's initial
/// restart back-off, 10 s unless `--backoff-initial` says otherwise), whatever the restart
/// policy: the container never ran.
extension PodController {
    /// Resolves the container's environment and command line into `pod.resolvedContainers`,
    /// retrying until it can; false when the pod is deleted meanwhile.
    func resolveContainerConfig(_ pod: PodState, _ name: String) async -> Bool {
        let source = ConfigStore(root: store.root)
        while !pod.deleting {
            if pod.replacingSandbox {
                try? await Task.sleep(for: .milliseconds(100))
                continue
            }
            guard let container = pod.pod.spec.anyContainer(named: name) else { return false }
            do {
                // The image's user against runAsNonRoot, as generateContainerConfig checks it.
                try PodSecurity.verifyRunAsNonRoot(pod: pod.pod, podUID: pod.record.uid, container: container,
                                                   imageUID: pod.images[name]?.process.map { Int64($0.user.uid) })
                // ConfigMaps and Secrets are files, and the downward API reads /proc and the
                // host's addresses: on the disk thread, as the actor's thread runs the probes.
                let (spec, uid, network) = (pod.pod, pod.record.uid, pod.record.network)
                let environment = try await disk.run {
                    Result { try ContainerEnvironment.resolve(container, pod: spec,
                                                             context: Self.downwardAPIContext(uid: uid, network: network),
                                                             objects: source) }
                }.get()
                pod.resolvedContainers[name] = environment.applied(to: container)
                return true
            } catch {
                guard !pod.deleting else { return false }
                record(pod, container: name, EventMessages.failed(error: "\(error)"))
                pod.update(name) { c in
                    c.state = .waiting(reason: "CreateContainerConfigError", message: "\(error)")
                }
                refreshStatus(pod)
                save(pod)
                try? await Task.sleep(for: pod.defaultBackoff.initial)
            }
        }
        return false
    }

    /// The downward API's view of a running pod: its record's uid, the sandbox's addresses,
    /// this node's name (as `get pods -o wide` shows it) and allocatable CPU and memory.
    func downwardAPIContext(_ pod: PodState) -> DownwardAPIContext {
        Self.downwardAPIContext(uid: pod.record.uid, network: pod.record.network)
    }

    nonisolated static func downwardAPIContext(uid: String, network: PodNetworkRecord?) -> DownwardAPIContext {
        DownwardAPIContext(uid: uid,
                           podIPs: network?.podIPs ?? [],
                           hostIPs: network?.hostIPs ?? HostAddresses.ipv4(),
                           nodeName: NodeAllocatable.nodeName,
                           nodeCPUMillicores: NodeAllocatable.cpuMillicores,
                           nodeMemoryBytes: NodeAllocatable.memoryBytes)
    }
}

/// The node's capacity, which a limit left unset reads as in the downward API (the kubelet's
/// allocatable, with no reservations configured: its capacity).
enum NodeAllocatable {
    /// gethostname, as `get pods -o wide` prints NODE.
    static var nodeName: String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The CPUs this process may run on (cadvisor's count of online CPUs), in millicores; read
    /// once, as the kubelet reads the machine's capacity at start.
    static let cpuMillicores: Int64 = {
        Int64(max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN)))) * 1000
    }()

    /// MemTotal from /proc/meminfo, in bytes (cadvisor's machine memory capacity); read once.
    static let memoryBytes: Int64 = {
        guard let text = try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8) else { return 0 }
        for line in text.split(separator: "\n") where line.hasPrefix("MemTotal:") {
            let fields = line.split(separator: " ")
            if fields.count >= 2, let kib = Int64(fields[1]) { return kib * 1024 }
        }
        return 0
    }()
}
