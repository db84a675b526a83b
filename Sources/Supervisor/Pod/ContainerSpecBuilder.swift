import CShims
import ContainerRuntime
import Foundation
import PodSpec

/// Turns one container of a pod into the OCI config the runtime runs: our default security
/// profile, the image's defaults (an OCI bundle's `process`), the pod's sandbox namespaces, its
/// volumes, limits and securityContext.
struct ContainerSpecBuilder {
    let pod: Pod
    let container: PodSpec.Container
    let store: PodStore
    /// OCI type -> path ("network" -> the pinned netns); an empty path: no namespace of that type
    /// (the host's, for a hostNetwork pod).
    let sandboxNamespaces: [String: String]
    /// The kubelet's per-pod files: destination in the container -> file (/etc/hosts, ...).
    var etcFiles: [String: String] = [:]
    /// The directory of the pod's YAML file: relative paths in it start there.
    let baseDir: String

    /// The image as a rootfs directory, and its default process when it is an OCI bundle.
    struct Image {
        var rootfs: String
        var process: OCISpec.Process?
        /// The image's StopSignal (the bundle's `org.opencontainers.image.stopSignal` annotation,
        /// as the image spec's conversion writes it); SIGTERM when it has none.
        var stopSignal: Int32 = SIGTERM
    }

    static let stopSignalAnnotation = "org.opencontainers.image.stopSignal"

    static func image(at path: String) throws -> Image {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue else {
            throw SupervisorError("image \"\(path)\": no such directory (an unpacked rootfs or an OCI bundle)")
        }
        if FileManager.default.fileExists(atPath: path + "/config.json") {
            do {
                let spec = try SpecDecoder.load(bundle: path)
                let root = spec.root.map { Files.absolute($0.path, base: path) } ?? path + "/rootfs"
                var image = Image(rootfs: root, process: spec.process)
                if let name = spec.annotations[stopSignalAnnotation] {
                    guard let signal = SignalName.parse(name) else {
                        throw SupervisorError("annotations.\"\(stopSignalAnnotation)\": unknown signal \"\(name)\"")
                    }
                    image.stopSignal = signal
                }
                return image
            } catch { throw SupervisorError("image \"\(path)\": \(error)") }
        }
        return Image(rootfs: path, process: nil)
    }

    func build(image: Image) throws -> OCISpec {
        var spec = DefaultSpec.make(rootfs: image.rootfs, args: try arguments(image))
        spec.hostname = nil   // the sandbox's uts namespace already has the pod's name
        // Writable, as in Kubernetes: each instance writes to its own overlay, never the image.
        // securityContext.readOnlyRootFilesystem turns it read-only again (below).
        spec.root?.readonly = false
        var process = spec.process ?? OCISpec.Process(args: [])
        process.env = mergedEnv(image.process?.env ?? process.env)
        process.cwd = container.workingDir ?? image.process?.cwd ?? "/"
        process.terminal = false
        process.user = image.process?.user ?? process.user   // the image's USER, as containerd runs it
        spec.process = process
        var linux = spec.linux ?? OCISpec.Linux()
        linux.namespaces = linux.namespaces.compactMap { ns in
            guard let path = sandboxNamespaces[ns.type] else { return ns }
            return path.isEmpty ? nil : OCISpec.Namespace(type: ns.type, path: path)
        }
        linux.resources = resources(linux.resources)
        spec.linux = linux
        try volumes(&spec)
        try security(&spec)
        PodSecurity.applyPodWide(pod, to: &spec)
        OOMGroup.apply(to: &spec)
        mountEtcFiles(&spec)
        return spec
    }

    /// Kubernetes' command/args over the image's: command replaces the whole command line; args
    /// alone replace what follows the image's first word (an OCI bundle has no entrypoint/cmd
    /// split, so its first word stands for the entrypoint).
    private func arguments(_ image: Image) throws -> [String] {
        let imageArgs = image.process?.args ?? []
        if !container.command.isEmpty { return container.command + container.args }
        if !container.args.isEmpty {
            guard let first = imageArgs.first else {
                throw SupervisorError("container \(container.name): args without command need an image with a default command")
            }
            return [first] + container.args
        }
        guard !imageArgs.isEmpty else {
            throw SupervisorError("container \(container.name): no command: set command, or use an OCI bundle image with process.args")
        }
        return imageArgs
    }

    private func mergedEnv(_ base: [String]) -> [String] {
        let overridden = Set(container.env.map(\.name))
        return base.filter { !overridden.contains(String($0.split(separator: "=", maxSplits: 1).first ?? "")) }
            + container.env.map { "\($0.name)=\($0.value)" }
    }

    private func resources(_ base: OCISpec.Resources?) -> OCISpec.Resources {
        var r = base ?? OCISpec.Resources()
        let limits = container.resources.limits, requests = container.resources.requests
        if let bytes = limits.memoryBytes {
            r.memory = OCISpec.Memory(limit: bytes, swap: bytes)   // no swap on top, as the kubelet
        }
        if let milli = limits.cpuMillicores {
            r.cpu = OCISpec.CPU(quota: max(1000, milli * 100), period: 100_000)
        }
        if let milli = requests.cpuMillicores ?? limits.cpuMillicores {
            var cpu = r.cpu ?? OCISpec.CPU()
            cpu.shares = UInt64(max(2, milli * 1024 / 1000))
            r.cpu = cpu
        }
        return r
    }

    private func volumes(_ spec: inout OCISpec) throws {
        let subPaths = try SubPathMounts.plan(pod: pod, container: container, store: store)
        for (index, mount) in container.volumeMounts.enumerated() {
            guard let volume = pod.spec.volumes.first(where: { $0.name == mount.name }) else { continue }
            var source: String
            switch volume.source {
            case .emptyDir:
                source = store.volumeDir(pod.name, volume.name)
                try FileManager.default.createDirectory(atPath: source, withIntermediateDirectories: true)
            case .hostPath(let host):
                source = host.path
            case .configMap, .secret, .downwardAPI, .projected:
                source = store.volumeDir(pod.name, volume.name)
            }
            // Bound by the spawn thread just before the clone (SubPathMounts.bind).
            if let subPath = subPaths[index] { source = subPath.target }
            var options = ["rbind", "rprivate"]
            if mount.readOnly || PodVolumes.isReadOnly(volume.source) { options.append("ro") }
            spec.mounts.append(OCISpec.Mount(destination: mount.mountPath, type: "bind", source: source, options: options))
        }
    }

    /// /etc/hosts, /etc/resolv.conf and /etc/hostname from the pod's files, unless the container
    /// mounts something there itself (the kubelet's rule); read-only with a read-only root, as
    /// containerd does.
    private func mountEtcFiles(_ spec: inout OCISpec) {
        let taken = Set(container.volumeMounts.map { ($0.mountPath as NSString).standardizingPath })
        let readOnly = spec.root?.readonly == true
        for (destination, source) in etcFiles.sorted(by: { $0.key < $1.key }) where !taken.contains(destination) {
            spec.mounts.append(OCISpec.Mount(destination: destination, type: "bind", source: source,
                                             options: ["rbind", "rprivate"] + (readOnly ? ["ro"] : [])))
        }
    }

    private func security(_ spec: inout OCISpec) throws {
        guard let sc = PodSecurity.effective(pod: pod, container: container) else { return }
        if let uid = sc.runAsUser { spec.process?.user.uid = UInt32(uid) }
        if let gid = sc.runAsGroup { spec.process?.user.gid = UInt32(gid) }
        if sc.readOnlyRootFilesystem == true { spec.root?.readonly = true }
        if let allow = sc.allowPrivilegeEscalation { spec.process?.noNewPrivileges = !allow }
        if sc.privileged == true {
            let all = (0...Int(sl_cap_last_cap())).compactMap(CapabilityNames.name)
            spec.process?.capabilities = OCISpec.Capabilities(bounding: all, effective: all, permitted: all)
            spec.process?.noNewPrivileges = false
            spec.linux?.seccomp = nil
            spec.linux?.maskedPaths = []
            spec.linux?.readonlyPaths = []
            spec.linux?.resources?.devices = [OCISpec.DeviceCgroupRule(allow: true, access: "rwm")]
            return
        }
        if let caps = sc.capabilities {
            var set = spec.process?.capabilities?.bounding ?? []
            let drop = Set(caps.drop.map(\.description))
            set = caps.drop.contains(where: \.isAll) ? [] : set.filter { !drop.contains($0) }
            let added = caps.add.contains(where: \.isAll) ? CapabilityNames.all : caps.add.map(\.description)
            for add in added where !set.contains(add) { set.append(add) }
            spec.process?.capabilities = OCISpec.Capabilities(bounding: set, effective: set, permitted: set)
        }
        switch sc.seccompProfile {
        case .unconfined?: spec.linux?.seccomp = nil
        case .localhost(let path)?:
            // An OCI seccomp section (the format runc and the kubelet's Localhost profiles use),
            // relative to the pod file's directory.
            let file = Files.absolute(path, base: baseDir)
            guard let data = FileManager.default.contents(atPath: file) else {
                throw SupervisorError("securityContext.seccompProfile.localhostProfile: cannot read \(file)")
            }
            let wrapper = #"{"ociVersion":"1.0.2","root":{"path":"/"},"process":{"args":["x"],"cwd":"/","user":{"uid":0,"gid":0}},"# +
                #""linux":{"namespaces":[{"type":"mount"}],"seccomp":"# + String(decoding: data, as: UTF8.self) + "}}"
            do { spec.linux?.seccomp = try SpecDecoder.decode(Array(wrapper.utf8)).linux?.seccomp } catch {
                throw SupervisorError("securityContext.seccompProfile.localhostProfile \(file): \(error)")
            }
        case .runtimeDefault?, nil: break
        }
    }
}

/// Capability names in kernel order, as OCI writes them.
enum CapabilityNames {
    static let all = ["CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL",
                      "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE",
                      "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER",
                      "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE", "CAP_SYS_PACCT",
                      "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE", "CAP_SYS_RESOURCE", "CAP_SYS_TIME",
                      "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE", "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL",
                      "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM",
                      "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE"]

    static func name(_ number: Int) -> String? { number < all.count ? all[number] : nil }
}

/// For commands that check a file before starting anything.
public enum ImageDirectory {
    /// Throws, saying why, unless `path` is an image swiftlet can run: an unpacked rootfs or an
    /// OCI bundle whose config.json it reads.
    public static func check(_ path: String) throws {
        _ = try ContainerSpecBuilder.image(at: path)
    }
}
