import GoFormat

/// The CNI client: runs a network's plugin chain for pod sandboxes and keeps each attachment.
///
/// Blocking calls: run them off any event loop, on a thread in the host network namespace (or
/// with `runtime.pluginNetns` set). ADD and DEL of one sandbox must not overlap (SPEC §3): the
/// caller serialises them; different sandboxes may run in parallel.
public struct CNIClient: Sendable {
    public let runtime: CNIRuntime
    public let store: AttachmentStore

    public init(runtime: CNIRuntime, store: AttachmentStore) {
        self.runtime = runtime
        self.store = store
    }

    /// ADD: keeps the attachment (result nil) before the first plugin runs, runs the chain in
    /// order (each plugin gets the previous one's result), then keeps and returns the result.
    /// On a failure it DELs what was added (the failed plugin and those before it, in reverse),
    /// removes the kept file and throws `pod "p": network "n": plugin t: msg (code N)`. Should that
    /// DEL fail too, the error says so and the kept file stays for a later `del`.
    public func add(_ request: AttachmentRequest, network: CNINetworkConfig) throws(NetworkError) -> Attachment {
        let context = "pod \(goQuoted(request.podName)): network \(goQuoted(network.name))"
        guard CNIIdentifiers.isValidContainerID(request.sandboxID) else {
            throw NetworkError("\(context): invalid sandbox ID \(goQuoted(request.sandboxID)) (CNI_CONTAINERID must match ^[a-zA-Z0-9][a-zA-Z0-9_.\\-]*$)")
        }
        guard CNIIdentifiers.isValidInterfaceName(request.ifName) else {
            throw NetworkError("\(context): invalid interface name \(goQuoted(request.ifName))")
        }
        // A missing plugin fails before anything runs (and then there is nothing to DEL).
        for plugin in network.plugins where PluginInvocation.find(plugin.type, in: runtime.binDirs) == nil {
            throw NetworkError("\(context): plugin \(goQuoted(plugin.type)) not found in \(runtime.binDirs.joined(separator: ", "))")
        }
        var attachment = Attachment(
            sandboxID: request.sandboxID, podName: request.podName, podNamespace: request.podNamespace,
            podUID: request.podUID, networkName: network.name, netns: request.netns, ifName: request.ifName,
            config: network.bytes, cniArgs: Self.cniArgs(request), portMappings: request.portMappings, result: nil)
        do {
            try store.save(attachment)
        } catch {
            throw NetworkError("\(context): \(error)")
        }

        var result: String?
        for (index, plugin) in network.plugins.enumerated() {
            switch invocation(.add, plugin, attachment, netns: request.netns, prevResult: result).run(runtime) {
            case let .success(output):
                result = output
            case let .failure(error):
                throw undo(attachment, plugins: network.plugins[...index], prevResult: result, context: context, cause: error.description)
            }
        }
        attachment.result = result
        do {
            try store.save(attachment)
        } catch {
            throw undo(attachment, plugins: network.plugins[...], prevResult: result, context: context, cause: error.description)
        }
        return attachment
    }

    /// DEL: the kept config's plugins in reverse order, each with the kept result as prevResult
    /// (when ADD finished) and the kept portMappings; CNI_NETNS is the kept path while it is still
    /// a network namespace, else "". Every plugin runs even if one fails. Idempotent. The kept
    /// file is removed when every plugin succeeded; otherwise it stays and this throws.
    public func del(_ attachment: Attachment) throws(NetworkError) {
        let context = "pod \(goQuoted(attachment.podName)): network \(goQuoted(attachment.networkName))"
        let network: CNINetworkConfig
        do {
            network = try CNINetworkConfig(bytes: attachment.config, source: "the kept configuration of sandbox \(attachment.sandboxID)")
        } catch {
            throw NetworkError("\(context): \(error)")
        }
        let failures = runDel(attachment, plugins: network.plugins[...], prevResult: attachment.result)
        guard failures.isEmpty else {
            throw NetworkError("\(context): " + failures.map(\.description).joined(separator: "; "))
        }
        store.remove(sandboxID: attachment.sandboxID)
    }

    /// After a failed ADD: DEL `plugins` (best effort) and build the error to throw.
    private func undo(_ attachment: Attachment, plugins: ArraySlice<CNIPluginConfig>, prevResult: String?, context: String, cause: String) -> NetworkError {
        let failures = runDel(attachment, plugins: plugins, prevResult: prevResult)
        if failures.isEmpty {
            store.remove(sandboxID: attachment.sandboxID)
            return NetworkError("\(context): \(cause)")
        }
        let cleanup = failures.map(\.description).joined(separator: "; ")
        return NetworkError("\(context): \(cause); the DEL after it failed too (\(cleanup)): the attachment is kept for a later DEL")
    }

    /// Runs DEL for `plugins` in reverse order; returns the failures.
    private func runDel(_ attachment: Attachment, plugins: ArraySlice<CNIPluginConfig>, prevResult: String?) -> [NetworkError] {
        let netns = NetnsPin.isPinned(attachment.netns) ? attachment.netns : ""
        var failures: [NetworkError] = []
        for plugin in plugins.reversed() {
            if case let .failure(error) = invocation(.del, plugin, attachment, netns: netns, prevResult: prevResult).run(runtime) {
                failures.append(error)
            }
        }
        return failures
    }

    private func invocation(_ command: PluginInvocation.Command, _ plugin: CNIPluginConfig, _ attachment: Attachment, netns: String, prevResult: String?) -> PluginInvocation {
        PluginInvocation(
            command: command, plugin: plugin, containerID: attachment.sandboxID, netns: netns, ifName: attachment.ifName,
            cniArgs: attachment.cniArgs, stdin: plugin.stdin(portMappings: attachment.portMappings, prevResult: prevResult))
    }

    /// containerd's labels (`toCNILabels`), with IgnoreUnknown so strict plugins accept them.
    static func cniArgs(_ request: AttachmentRequest) -> [[String]] {
        [
            ["IgnoreUnknown", "1"],
            ["K8S_POD_NAMESPACE", request.podNamespace],
            ["K8S_POD_NAME", request.podName],
            ["K8S_POD_INFRA_CONTAINER_ID", request.sandboxID],
            ["K8S_POD_UID", request.podUID],
        ]
    }
}
