import ContainerRuntime
import Foundation
import Glibc
import PodSpec

/// A container's configuration cannot be made (the kubelet's `CreateContainerConfigError`,
/// where other start failures are `CreateContainerError`).
/// `volumeMounts[].subPath` and `subPathExpr`, as the kubelet's makeMounts and its safe subpath
/// (pkg/kubelet/kubelet_pods.go, pkg/volume/util/subpath/subpath_linux.go) do them: the path is
/// created in the volume when missing, resolved, checked to stay inside the volume, opened one
/// component at a time with O_NOFOLLOW from the volume's root, and bind-mounted from
/// /proc/self/fd to `<pod>/volume-subpaths/<volume>/<container>/<index>`, which the container
/// then mounts. A container that swaps a component for a symlink between the check and the
/// mount gains nothing: the mount follows the descriptor, not the path (CVE-2017-1002101,
/// CVE-2021-25741).
struct SubPathMount: Sendable, Equatable {
    var volume: String
    var container: String
    /// Where the volume is on the host.
    var volumeRoot: String
    /// Relative, expanded.
    var subPath: String
    /// The bind mount the container's mount takes as its source.
    var target: String
}

enum SubPathMounts {
    /// O_PATH (behind _GNU_SOURCE, which the Glibc module does not see; same value on x86_64 and aarch64).
    static let oPath: Int32 = 0o10000000

    static func target(store: PodStore, pod: String, volume: String, container: String, index: Int) -> String {
        store.podDir(pod) + "/volume-subpaths/\(volume)/\(container)/\(index)"
    }

    /// The subPath mounts of a container by the index of their `volumeMounts` entry;
    /// `subPathExpr` expanded from the container's environment.
    static func plan(pod: Pod, container: PodSpec.Container, store: PodStore) throws -> [Int: SubPathMount] {
        var plans: [Int: SubPathMount] = [:]
        for (index, mount) in container.volumeMounts.enumerated() where !mount.subPath.isEmpty || !mount.subPathExpr.isEmpty {
            guard let volume = pod.spec.volumes.first(where: { $0.name == mount.name }) else { continue }
            var subPath = mount.subPath
            if !mount.subPathExpr.isEmpty {
                // The container as resolved for this start: every env value is known.
                let env = Dictionary(container.env.map { ($0.name, $0.value) }, uniquingKeysWith: { $1 })
                subPath = try SubPathExpansion.expand(mount.subPathExpr, env: env)
            }
            if subPath.hasPrefix("/") {
                throw ContainerConfigError("error SubPath `\(subPath)` must not be an absolute path")
            }
            if subPath.split(separator: "/").contains("..") {
                throw ContainerConfigError("unable to provision SubPath `\(subPath)`: must not contain '..'")
            }
            let root: String = switch volume.source {
            case .hostPath(let host): host.path
            default: store.volumeDir(pod.name, volume.name)
            }
            plans[index] = SubPathMount(volume: volume.name, container: container.name, volumeRoot: root, subPath: subPath,
                                        target: target(store: store, pod: pod.name, volume: volume.name,
                                                       container: container.name, index: index))
        }
        return plans
    }

    /// Makes the bind mount (on the spawn thread, before the container is cloned). The error
    /// names the mount, never the host path, as the kubelet's does.
    static func bind(_ mount: SubPathMount) throws {
        // A previous instance's bind goes first, whether or not this one can be made.
        while umount2(mount.target, Int32(MNT_DETACH)) == 0 {}
        let full = mount.volumeRoot + "/" + mount.subPath
        if access(full, F_OK) != 0 {
            var rootInfo = stat()
            guard stat(mount.volumeRoot, &rootInfo) == 0, safeMakeDir(mount.subPath, in: mount.volumeRoot, mode: rootInfo.st_mode & 0o7777) else {
                throw ContainerConfigError("failed to create subPath directory for volumeMount \"\(mount.volume)\" of container \"\(mount.container)\"")
            }
        }
        guard bindSafely(mount) else {
            throw ContainerConfigError("failed to prepare subPath for volumeMount \"\(mount.volume)\" of container \"\(mount.container)\"")
        }
    }

    private static func bindSafely(_ mount: SubPathMount) -> Bool {
        // EvalSymlinks, then the check that the result stays in the volume.
        guard let base = realPath(mount.volumeRoot), let resolved = realPath(mount.volumeRoot + "/" + mount.subPath),
              resolved == base || resolved.hasPrefix(base == "/" ? "/" : base + "/") else { return false }
        let relative = resolved == base ? [] : resolved.dropFirst(base == "/" ? 1 : base.count + 1).split(separator: "/")
        var fd = open(base, oPath | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        for component in relative {
            let next = openat(fd, String(component), oPath | O_NOFOLLOW | O_CLOEXEC)
            guard next >= 0 else { return false }
            close(fd)
            fd = next
            var info = stat()
            // O_PATH|O_NOFOLLOW opens a symlink itself: one appeared since the resolution.
            guard fstat(fd, &info) == 0, info.st_mode & S_IFMT != S_IFLNK else { return false }
        }
        var info = stat()
        guard fstat(fd, &info) == 0 else { return false }
        let isDirectory = info.st_mode & S_IFMT == S_IFDIR
        let parent = (mount.target as NSString).deletingLastPathComponent
        guard (try? FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)) != nil else { return false }
        unlink(mount.target)
        rmdir(mount.target)
        if isDirectory {
            guard mkdir(mount.target, 0o750) == 0 else { return false }
        } else {
            let made = open(mount.target, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o640)
            guard made >= 0 else { return false }
            close(made)
        }
        return Glibc.mount("/proc/self/fd/\(fd)", mount.target, nil, UInt(MS_BIND), nil) == 0
    }

    /// `SafeMakeDir`: each missing component made with mkdirat under a descriptor opened with
    /// O_NOFOLLOW, so a symlink in the way fails instead of leading out of the volume.
    static func safeMakeDir(_ subPath: String, in root: String, mode: mode_t) -> Bool {
        var fd = open(root, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        for component in subPath.split(separator: "/") where component != "." {
            let name = String(component)
            if mkdirat(fd, name, mode) == 0 {
                _ = fchmodat(fd, name, mode, 0)   // the volume's mode, whatever the umask
            } else if errno != EEXIST {
                return false
            }
            let next = openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            guard next >= 0 else { return false }
            close(fd)
            fd = next
        }
        return true
    }

    private static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}

/// `subPathExpr`'s `$(VAR)` expansion, the kubelet's `ExpandContainerVolumeMounts`
/// (pkg/kubelet/container/helpers.go): the container's whole environment (plain values and
/// those from ConfigMaps, Secrets and the downward API, already resolved), and a variable that
/// is unset or empty is an error.
enum SubPathExpansion {
    static func expand(_ expression: String, env: [String: String]) throws -> String {
        var missing: Set<String> = []
        let expanded = Expansion.expand(expression) { name in
            let value = env[name] ?? ""
            if value.isEmpty { missing.insert(name) }
            return value
        }
        if !missing.isEmpty {
            throw ContainerConfigError("missing value for \(missing.sorted().joined(separator: ", "))")
        }
        return expanded
    }
}
