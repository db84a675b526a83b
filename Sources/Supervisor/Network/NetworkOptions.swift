import PodNetwork

/// How a supervisor gives its pods a network (`swiftlet run --network ...`).
public struct NetworkOptions: Sendable, Equatable {
    public enum Mode: String, Sendable, CaseIterable {
        /// Each pod on the CNI network of `confDir`, or swiftlet's default network if it has none.
        case cni
        /// Pods have loopback only (what swiftlet did before it had networking).
        case none
    }
    public var mode: Mode
    /// containerd's default: the first .conf/.conflist/.json by name is the network.
    public var confDir: String
    /// CNI_PATH: Debian's containernetworking-plugins, then the upstream location.
    public var binDirs: [String]
    /// The subnet of swiftlet's default network (not podman's 10.88.0.0/16).
    public var podCIDR: String
    /// How long one plugin may run before it is killed and the operation fails.
    public var pluginTimeout: Duration
    /// Plugin chains run at once for different pods.
    public var parallelism: Int

    public init(mode: Mode = .cni, confDir: String = "/etc/cni/net.d", binDirs: [String] = ["/usr/lib/cni", "/opt/cni/bin"],
                podCIDR: String = CNINetworkConfig.defaultPodCIDR, pluginTimeout: Duration = .seconds(30), parallelism: Int = 4) {
        self.mode = mode
        self.confDir = confDir
        self.binDirs = binDirs
        self.podCIDR = podCIDR
        self.pluginTimeout = pluginTimeout
        self.parallelism = parallelism
    }
}
