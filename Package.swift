// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "swiftlet",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "ContainerRuntime", targets: ["ContainerRuntime"]),
        .library(name: "Cgroups", targets: ["Cgroups"]),
        .library(name: "PodSpec", targets: ["PodSpec"]),
        .library(name: "Probes", targets: ["Probes"]),
        .library(name: "PodNetwork", targets: ["PodNetwork"]),
        .library(name: "Supervisor", targets: ["Supervisor"]),
        .executable(name: "swiftlet", targets: ["swiftlet"]),
        .executable(name: "swiftlet-runtime", targets: ["swiftlet-runtime"]),
        .executable(name: "swiftlet-keeper", targets: ["swiftlet-keeper"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        // HTTP/2 for gRPC probes (h2c); the two health messages are encoded by hand.
        .package(url: "https://github.com/apple/swift-nio-http2", from: "1.46.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        // The mechanism: clone3, namespaces, mounts, pivot_root, capabilities, seccomp, device BPF.
        // Everything that runs in the child between clone and execve lives here.
        .target(
            name: "CShims",
            path: "CShims",
            cSettings: [.define("_GNU_SOURCE"), .unsafeFlags(["-Wall", "-Wextra", "-Wno-unused-parameter"])],
            linkerSettings: [.linkedLibrary("seccomp"), .linkedLibrary("cap")]
        ),
        // cgroup v2 and hybrid (v1 controllers + v2 for lifetime) management.
        .target(name: "Cgroups", dependencies: ["CShims"]),
        // The policy: OCI config model and validation, mount plan, security profile, lifecycle.
        .target(name: "ContainerRuntime", dependencies: ["CShims", "Cgroups"]),
        // Go's formatting that Kubernetes' messages show (%q), shared by PodSpec's errors and Probes' events.
        .target(name: "GoFormat"),
        // Kubernetes v1 Pod YAML: decoding, defaults and strict validation with kubectl's field paths.
        .target(name: "PodSpec", dependencies: ["GoFormat", .product(name: "Yams", package: "Yams")]),
        // The kubelet's probe worker, restart policy, back-off and event folding, on an injected clock.
        .target(name: "Probes", dependencies: ["GoFormat"]),
        // Probe I/O: HTTP, TCP and gRPC probes over sockets made inside a pod's network namespace,
        // driven by one SwiftNIO event loop for every pod.
        .target(
            name: "ProbeHandlers",
            dependencies: [
                "CShims", "GoFormat", "Probes",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOHTTP2", package: "swift-nio-http2"),
                .product(name: "NIOHPACK", package: "swift-nio-http2"),
            ]
        ),
        // Pod networking: the CNI client (config, plugin chain, kept attachments, pinned netns)
        // and the kubelet's /etc/hosts and /etc/resolv.conf.
        .target(name: "PodNetwork", dependencies: ["CShims", "GoFormat", "PodSpec"]),
        // Pods that heal themselves: sandbox, containers, probes, restarts, events, logs, state.
        .target(name: "Supervisor", dependencies: ["ContainerRuntime", "GoFormat", "PodSpec", "PodNetwork", "Probes", "ProbeHandlers", "CShims",
                                                  .product(name: "NIOCore", package: "swift-nio"),
                                                  // The metrics endpoint: GET /metrics over HTTP/1.1.
                                                  .product(name: "NIOPosix", package: "swift-nio"),
                                                  .product(name: "NIOHTTP1", package: "swift-nio"),
                                                  .product(name: "Prometheus", package: "swift-prometheus")]),
        .executableTarget(
            name: "swiftlet",
            dependencies: ["Supervisor", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .executableTarget(
            name: "swiftlet-runtime",
            dependencies: [
                "ContainerRuntime",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Holds containers, their exit statuses and their log pipes while the Swift daemon is down:
        // a small single-threaded C program (epoll, signalfd), glibc only. Linked statically:
        // swiftc, SwiftPM's linker, would otherwise add the Swift runtime (swiftrt.o and
        // libswiftCore, libstdc++) to a program that uses none of it; static, it needs no
        // toolchain libraries at run time and an upgrade can exec it from anywhere.
        .executableTarget(
            name: "swiftlet-keeper",
            path: "Sources/swiftlet-keeper",
            cSettings: [.define("_GNU_SOURCE"), .unsafeFlags(["-Wall", "-Wextra"])],
            linkerSettings: [.unsafeFlags(["-nostartfiles", "-static-executable"])]
        ),
        // Runs many containers in one quiet process and reports leaked fds, mounts and cgroups.
        .executableTarget(name: "swiftlet-leakcheck", dependencies: ["ContainerRuntime"], path: "Tests/LeakCheck"),
        .testTarget(
            name: "ContainerRuntimeTests",
            dependencies: ["ContainerRuntime", "Cgroups", "CShims", "swiftlet-runtime", "swiftlet-leakcheck"],
            exclude: []
        ),
        .testTarget(name: "CgroupsTests", dependencies: ["Cgroups", "CShims"]),
        .testTarget(name: "GoFormatTests", dependencies: ["GoFormat"]),
        .testTarget(name: "PodSpecTests", dependencies: ["PodSpec"]),
        .testTarget(name: "ProbesTests", dependencies: ["Probes"]),
        // Feeds the fuzz corpora and the inputs the fuzzers crashed on (Fuzz/) through both decoders.
        .testTarget(name: "FuzzRegressionTests", dependencies: ["PodSpec", "ContainerRuntime"]),
        .testTarget(name: "PodNetworkTests", dependencies: ["PodNetwork", "PodSpec"]),
        .testTarget(name: "ProbeHandlersTests", dependencies: ["ProbeHandlers", "CShims"]),
        .testTarget(name: "KeeperTests", dependencies: ["Supervisor", "swiftlet-keeper"]),
        .testTarget(name: "SupervisorTests", dependencies: ["Supervisor", "PodNetwork", "PodSpec", "swiftlet"]),
        // podman and containerd (ctr) driving swiftlet-runtime as their OCI runtime: only the binary.
        .testTarget(name: "RuntimeClientTests", dependencies: ["swiftlet-runtime"]),
    ]
)
