import ContainerRuntime
import Foundation
import PodNetwork
import PodSpec
import Synchronization

/// Gives each pod sandbox its network, as containerd's CRI plugin does: pins the sandbox's
/// network namespace, runs the CNI chain (ADD once per sandbox, before any container starts;
/// DEL when the pod goes), and writes the kubelet's /etc/hosts, /etc/resolv.conf and
/// /etc/hostname for its containers.
///
/// Plugins are processes of tens of ms each: they run on a pool of threads of their own, several
/// pods at once, never on the probe loop and never from a thread inside a pod's namespace. One
/// sandbox never has two operations at once: the controller adds before any container starts and
/// deletes after the last one is gone.
final class PodNetworker: Sendable {
    private let firstAdd = NSLock()
    private let chainsMade = Mutex(false)
    let options: NetworkOptions
    let store: PodStore
    /// nil with `--network none`.
    let network: CNINetworkConfig?
    let hostIPs: [String]
    private let pool: WorkerThreads

    init(options: NetworkOptions, store: PodStore) throws {
        self.options = options
        self.store = store
        switch options.mode {
        case .none:
            network = nil
        case .cni:
            do {
                network = try CNINetworkConfig.load(confDir: options.confDir)
                    ?? CNINetworkConfig.swiftletDefault(podCIDR: options.podCIDR, ipamDataDir: store.ipamDir)
            } catch {
                throw SupervisorError("\(error)")
            }
        }
        // The default bridge carries the pods' gateway, not the node's address.
        hostIPs = HostAddresses.ipv4(excludingInterfaces: [CNINetworkConfig.defaultBridge])
        pool = WorkerThreads(name: "swiftlet-cni", count: options.parallelism)
    }

    /// How plugins run for this supervisor (and for a `delete` after it died: the record keeps binDirs).
    static func client(store: PodStore, binDirs: [String], timeout: Duration = .seconds(30)) -> CNIClient {
        CNIClient(runtime: CNIRuntime(binDirs: binDirs, timeout: timeout), store: AttachmentStore(dir: store.attachmentsDir))
    }

    var client: CNIClient { Self.client(store: store, binDirs: options.binDirs, timeout: options.pluginTimeout) }

    // MARK: Setting up

    /// What `attach` made: the record for pod.json, the /etc files for the pod's containers
    /// (destination -> file) and warnings for the pod's events.
    struct Attached: Sendable {
        var record: PodNetworkRecord
        var etcFiles: [String: String]
        var warnings: [ResolvConf.Event]
        /// How long it took on the pool thread (not counting the wait for a free thread).
        var duration: Duration = .zero
    }

    /// Sets up the network of a sandbox that has just started (pid `sandboxPID`) and writes the
    /// pod's /etc files. On failure nothing is left behind but the sandbox, which the caller stops.
    func attach(_ pod: Pod, uid: String, sandboxPID: Int32) async throws -> Attached {
        try await pool.run { [self] in
            let start = ContinuousClock.now
            var attached = try self.attachNow(pod, uid: uid, sandboxPID: sandboxPID)
            attached.duration = ContinuousClock.now - start
            return attached
        }
    }

    /// The first ADD on a network runs alone: the plugins create their iptables chains on first
    /// use, and concurrent first ADDs race to (firewall: `iptables -N CNI-FORWARD`: "Chain
    /// already exists", containernetworking/plugins#335, still in Debian's 1.1.1). Later ADDs
    /// find the chains made and run side by side.
    private func firstAddAlone<T>(_ add: () throws -> T) throws -> T {
        if chainsMade.withLock({ $0 }) { return try add() }
        firstAdd.lock()
        defer { firstAdd.unlock() }
        if chainsMade.withLock({ $0 }) { return try add() }
        let result = try add()
        chainsMade.withLock { $0 = true }
        return result
    }

    private func attachNow(_ pod: Pod, uid: String, sandboxPID: Int32) throws -> Attached {
        let sandboxID = Self.newSandboxID()
        let claims = Self.hostPortClaims(pod)
        var record = PodNetworkRecord(sandboxID: sandboxID, netns: nil, podIPs: [], hostIPs: hostIPs,
                                      cniBinDirs: options.binDirs, hostPorts: claims)
        if pod.spec.hostNetwork {
            record.podIPs = hostIPs
        } else if let network {
            let path = store.netnsPath(sandbox: sandboxID)
            do { try NetnsPin.pin(pid: sandboxPID, at: path) } catch {
                throw SupervisorError("pod \"\(pod.name)\": pinning its network namespace at \(path): \(error)")
            }
            record.netns = path
            let request = AttachmentRequest(sandboxID: sandboxID, netns: path, podName: pod.name,
                                            podNamespace: pod.metadata.namespace, podUID: uid,
                                            portMappings: Self.portMappings(pod))
            let attachment: Attachment
            do { attachment = try firstAddAlone { try client.add(request, network: network) } } catch {
                NetnsPin.unpin(path)
                throw SupervisorError("\(error)")
            }
            record.podIPs = attachment.podIPs
            guard !record.podIPs.isEmpty else {
                try? release(record)
                throw SupervisorError("pod \"\(pod.name)\": network \"\(network.name)\": the result gives eth0 no IP address")
            }
        }
        do {
            let (etcFiles, warnings) = try writeEtcFiles(pod, uid: uid, record)
            return Attached(record: record, etcFiles: etcFiles, warnings: warnings)
        } catch {
            try? release(record)
            throw SupervisorError("pod \"\(pod.name)\": \(error)")
        }
    }

    /// The kubelet's files: /etc/hosts when the pod has an IP or is on the host network,
    /// /etc/resolv.conf always, /etc/hostname off the host network (as containerd writes it).
    /// Returns where each went (destination in the container -> file) and the DNS warnings.
    /// The /etc files an earlier daemon wrote for the pod (a daemon taking the pod over).
    static func existingEtcFiles(pod: String, store: PodStore) -> [String: String] {
        var files: [String: String] = [:]
        for (destination, name) in EtcFiles.fileNames {
            let path = store.etcFile(pod, name)
            if FileManager.default.fileExists(atPath: path) { files[destination] = path }
        }
        return files
    }

    private func writeEtcFiles(_ pod: Pod, uid: String, _ record: PodNetworkRecord) throws
        -> (files: [String: String], warnings: [ResolvConf.Event]) {
        let spec = pod.spec
        let hostname = HostsFile.podHostname(podName: pod.name, hostname: spec.hostname)
        var files: [String: String] = [:]
        if spec.hostNetwork {
            let node = (try? String(contentsOfFile: "/etc/hosts", encoding: .utf8)) ?? ""
            files[EtcFiles.hosts] = HostsFile.hostNetwork(nodeHostsFile: node, hostAliases: spec.hostAliases)
        } else {
            if !record.podIPs.isEmpty {
                files[EtcFiles.hosts] = HostsFile.podNetwork(podIPs: record.podIPs, hostname: hostname, subdomain: spec.subdomain,
                                                           namespace: pod.metadata.namespace, hostAliases: spec.hostAliases)
            }
            files[EtcFiles.hostname] = hostname + "\n"
        }
        let hostResolv = (try? String(contentsOfFile: "/etc/resolv.conf", encoding: .utf8)) ?? ""
        let resolv = ResolvConf.make(policy: spec.dnsPolicy, hostNetwork: spec.hostNetwork, hostResolvConf: hostResolv,
                                     dnsConfig: spec.dnsConfig, namespace: pod.metadata.namespace,
                                     podRef: "\(pod.name)_\(pod.metadata.namespace)(\(uid))")
        files[EtcFiles.resolvConf] = resolv.content
        var written: [String: String] = [:]
        for (destination, content) in files {
            // 0644: a container running as any user reads them. No fsync (Foundation's atomic
            // writes do one), as for every file of the state root.
            let path = store.etcFile(pod.name, EtcFiles.fileNames[destination] ?? "etc-file")
            try PodStore.writeAtomically(Data(content.utf8), to: path, mode: 0o644)
            written[destination] = path
        }
        return (written, resolv.events)
    }

    // MARK: Tearing down

    /// DEL for the pod's attachment, then the pinned namespace goes. Runs on the pool; returns
    /// how long it took there.
    @discardableResult
    func detach(_ record: PodNetworkRecord) async throws -> Duration {
        try await pool.run { [self] in
            let start = ContinuousClock.now
            try self.release(record)
            return ContinuousClock.now - start
        }
    }

    private func release(_ record: PodNetworkRecord) throws {
        try Self.release(record, store: store, client: client)
    }

    /// DEL with the kept config and result, then unpin. A failed DEL keeps the pin (a later DEL
    /// with no namespace would leave the bridge plugin's masquerade rule behind) and the kept
    /// attachment, for the next supervisor's reconcile or `delete` to retry.
    static func release(_ record: PodNetworkRecord, store: PodStore, client: CNIClient) throws {
        guard let netns = record.netns else { return }
        if let attachment = AttachmentStore(dir: store.attachmentsDir).load(sandboxID: record.sandboxID) {
            try client.del(attachment)
        }
        NetnsPin.unpin(netns)
    }

    /// Every kept attachment of pod `uid` (a supervisor that died before it recorded the sandbox
    /// leaves one its record does not name): DEL and unpin. For `delete` after a supervisor died.
    static func releaseAll(podUID uid: String, store: PodStore, binDirs: [String]) throws {
        let client = client(store: store, binDirs: binDirs)
        var problems: [String] = []
        for attachment in AttachmentStore(dir: store.attachmentsDir).all() where attachment.podUID == uid {
            do {
                try client.del(attachment)
                NetnsPin.unpin(attachment.netns)
            } catch { problems.append("\(error)") }
        }
        if !problems.isEmpty { throw SupervisorError(problems.joined(separator: "; ")) }
    }

    /// At start-up: DEL every kept attachment whose pod no longer exists (its supervisor was
    /// killed, or a DEL failed), and unpin namespaces nothing refers to. A pod that exists but
    /// whose supervisor died is left to `delete`.
    func reconcile(leftoversOnly: Bool = false) async -> [String] {
        (try? await pool.run { [self] in self.reconcileNow(leftoversOnly: leftoversOnly) }) ?? []
    }

    /// `leftoversOnly`: nothing else works on the root (a daemon starting), so an attachment
    /// whose pod has no record yet, or a pin without an attachment, is a leftover whatever its age.
    private func reconcileNow(leftoversOnly: Bool) -> [String] {
        var notes: [String] = []
        let attachments = AttachmentStore(dir: store.attachmentsDir).all()
        for attachment in attachments where !podHolds(attachment, creationInProgress: !leftoversOnly) {
            do {
                try client.del(attachment)
                NetnsPin.unpin(attachment.netns)
                notes.append("released the network of pod \"\(attachment.podName)\" (sandbox \(attachment.sandboxID)), which no longer exists")
            } catch {
                notes.append("could not release the network of pod \"\(attachment.podName)\": \(error)")
            }
        }
        // Pins without an attachment: a supervisor killed between the pin and the kept file.
        // Only old ones: a live supervisor may be between the two right now.
        let kept = Set(AttachmentStore(dir: store.attachmentsDir).all().map(\.sandboxID))
        for name in (try? FileManager.default.contentsOfDirectory(atPath: store.netnsDir)) ?? [] where !kept.contains(name) {
            let path = store.netnsPath(sandbox: name)
            let modified = (try? FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date) ?? nil
            if let modified, leftoversOnly || Date().timeIntervalSince(modified) > 60 {
                NetnsPin.unpin(path)
                notes.append("removed the pinned network namespace \(path), which no attachment names")
            }
        }
        return notes
    }

    /// True while the attachment's pod exists: its directory is there and its record (once
    /// written) names this sandbox.
    private func podHolds(_ attachment: Attachment, creationInProgress: Bool) -> Bool {
        guard FileManager.default.fileExists(atPath: store.podDir(attachment.podName)) else { return false }
        guard let record = try? store.load(attachment.podName) else { return creationInProgress }
        if record.uid != attachment.podUID { return false }
        return record.network.map { $0.sandboxID == attachment.sandboxID } ?? true
    }

    // MARK: Pure parts

    static func newSandboxID() -> String {
        (0..<16).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
    }

    /// runtimeConfig.portMappings, as containerd builds it: every port with a hostPort,
    /// protocol lower-cased.
    static func portMappings(_ pod: Pod) -> [PortMapping] {
        pod.spec.containers.flatMap(\.ports).compactMap { p in
            guard let host = p.hostPort, host > 0 else { return nil }
            return PortMapping(hostPort: host, containerPort: p.containerPort, protocol: p.protocol.rawValue.lowercased(),
                               hostIP: p.hostIP ?? "")
        }
    }

    static func hostPortClaims(_ pod: Pod) -> [HostPortClaim] {
        pod.spec.containers.flatMap(\.ports).compactMap { p in
            guard let host = p.hostPort, host > 0 else { return nil }
            return HostPortClaim(port: host, protocol: p.protocol.rawValue, hostIP: p.hostIP ?? "")
        }
    }
}

/// Where the kubelet's per-pod files go in a container, and their names in the pod's directory.
enum EtcFiles {
    static let hosts = "/etc/hosts"
    static let resolvConf = "/etc/resolv.conf"
    static let hostname = "/etc/hostname"
    static let fileNames = [hosts: "etc-hosts", resolvConf: "resolv.conf", hostname: "hostname"]
}

/// For `delete` when the pod's supervisor is gone: the plugins it used, from its record.
public enum PodNetworkCleanup {
    public static func release(_ record: PodRecord, store: PodStore) throws {
        let binDirs = record.network?.cniBinDirs ?? NetworkOptions().binDirs
        try PodNetworker.releaseAll(podUID: record.uid, store: store, binDirs: binDirs)
    }
}
