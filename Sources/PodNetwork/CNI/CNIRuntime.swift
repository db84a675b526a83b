/// How CNI plugins are found and run.
public struct CNIRuntime: Sendable {
    /// Where plugins are looked for, in order (`CNI_PATH`).
    public var binDirs: [String]
    /// The limit for one plugin invocation; past it the plugin is killed.
    public var timeout: Duration
    /// nil: plugins are spawned from the calling thread, which must be in the host network namespace
    /// (SPEC §2). Otherwise the path of a network namespace: every plugin is spawned from a thread
    /// created for that invocation, which enters this namespace and ends afterwards (tests use it to
    /// keep bridges, routes and iptables rules off the machine's own network).
    public var pluginNetns: String?

    public init(binDirs: [String] = ["/usr/lib/cni", "/opt/cni/bin"], timeout: Duration = .seconds(30), pluginNetns: String? = nil) {
        self.binDirs = binDirs
        self.timeout = timeout
        self.pluginNetns = pluginNetns
    }
}
