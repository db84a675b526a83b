import Foundation
import PodSpec
import Testing
@testable import Supervisor

/// configMap, secret and projected volumes written by `PodVolumes` on real files and real tmpfs
/// mounts, from ConfigMaps and Secrets given in memory (`ConfigObjects`): the kubelet's atomic
/// writer layout, modes, tmpfs for secrets, fsGroup ownership, and nothing left once the pod's
/// directory is removed. Ports configmap_volume.go, secrets_volume.go, projected_configmap.go
/// and projected_secret.go cases ("consumable from pods in volume", "with defaultMode set",
/// "with mappings", "with mappings and Item mode set", "as non-root with FSGroup"), and the
/// docs' "Configure a Pod to Use a ConfigMap" and "Distribute Credentials Securely Using
/// Secrets" volume parts.
@Suite(.enabled(if: geteuid() == 0, "needs root: mounts tmpfs and changes owners"), .serialized)
struct VolumeFilesTests {
    static let objects = ConfigObjects(
        configMaps: [ConfigMap(name: "special-config", data: ["SPECIAL_LEVEL": "very", "SPECIAL_TYPE": "charm"],
                               binaryData: ["blob": [0, 1, 2]])],
        secrets: [Secret(name: "test-secret", data: ["username": Array("my-app".utf8), "password": Array("39528$vdg7Jb".utf8)])])

    private func withPod(_ volumes: [Volume], fsGroup: Int64? = nil,
                         _ body: (PodStore, PodVolumes, [PodVolumes.Failure]) throws -> Void) throws {
        let root = "/tmp/swiftlet-h-volumes-\(UUID().uuidString.prefix(8))"
        let store = PodStore(root: root)
        defer {
            store.remove("vols")
            try? FileManager.default.removeItem(atPath: root)
        }
        try store.create("vols")
        let pod = Pod(metadata: ObjectMeta(name: "vols"), spec: PodSpec(containers: [Container(name: "app", image: Image(written: "x", resolved: "/x"))],
                                                  volumes: volumes))
        let context = DownwardAPIContext(uid: "uid-1", podIPs: [], hostIPs: [], nodeName: "node", nodeCPUMillicores: 2000,
                                         nodeMemoryBytes: 1 << 30)
        let volumes = PodVolumes(pod: pod, store: store, payload: VolumePayload(pod: pod, objects: Self.objects, context: context),
                                 fsGroup: fsGroup)
        try body(store, volumes, volumes.setUp())
    }

    private func text(_ path: String) -> String? { try? String(contentsOfFile: path, encoding: .utf8) }

    private func link(_ path: String) -> String? { try? FileManager.default.destinationOfSymbolicLink(atPath: path) }

    private func mode(_ path: String) -> mode_t {
        var info = stat()
        return stat(path, &info) == 0 ? info.st_mode & 0o7777 : 0
    }

    private func isTmpfs(_ dir: String) -> Bool {
        let mountinfo = text("/proc/self/mountinfo") ?? ""
        return mountinfo.split(separator: "\n").contains { $0.contains(" \(dir) ") && $0.contains(" - tmpfs ") }
    }

    @Test func configMapKeysAsFilesInTheAtomicWriterLayoutOnDisk() throws {
        try withPod([Volume(name: "config", source: .configMap(ConfigMapVolumeSource(name: "special-config")))]) { store, _, failures in
            #expect(failures.isEmpty)
            let dir = store.volumeDir("vols", "config")
            #expect(text(dir + "/SPECIAL_LEVEL") == "very")
            #expect(FileManager.default.contents(atPath: dir + "/blob") == Data([0, 1, 2]))
            #expect(link(dir + "/SPECIAL_TYPE") == "..data/SPECIAL_TYPE")
            let data = link(dir + "/..data") ?? ""
            #expect(data.hasPrefix("..20") && FileManager.default.fileExists(atPath: dir + "/" + data + "/SPECIAL_TYPE"))
            #expect(mode(dir + "/SPECIAL_LEVEL") == 0o644, "defaultMode 0644")
            #expect(!isTmpfs(dir), "configMap volumes are on disk, as the kubelet's")
        }
    }

    @Test func itemsMapKeysToPathsWithTheirModes() throws {
        let source = ConfigMapVolumeSource(name: "special-config",
                                           items: [KeyToPath(key: "SPECIAL_LEVEL", path: "path/to/level", mode: 0o400)],
                                           defaultMode: 0o600)
        try withPod([Volume(name: "config", source: .configMap(source))]) { store, _, failures in
            #expect(failures.isEmpty)
            let dir = store.volumeDir("vols", "config")
            #expect(text(dir + "/path/to/level") == "very")
            #expect(mode(dir + "/path/to/level") == 0o400)
            #expect(!FileManager.default.fileExists(atPath: dir + "/SPECIAL_TYPE"), "only the items")
            #expect(link(dir + "/path") == "..data/path")
        }
    }

    @Test func secretsAreWrittenToATmpfsWithTheirDefaultMode() throws {
        let source = SecretVolumeSource(secretName: "test-secret", defaultMode: 0o400)
        try withPod([Volume(name: "secret-volume", source: .secret(source))]) { store, _, failures in
            #expect(failures.isEmpty)
            let dir = store.volumeDir("vols", "secret-volume")
            #expect(isTmpfs(dir), "a secret never touches a disk")
            #expect(text(dir + "/password") == "39528$vdg7Jb")
            #expect(mode(dir + "/username") == 0o400)
        }
    }

    @Test func projectedSourcesShareOneTmpfsDirectory() throws {
        let source = ProjectedVolumeSource(sources: [
            .secret(SecretVolumeSource(secretName: "test-secret", items: [KeyToPath(key: "username", path: "my-group/my-username")])),
            .configMap(ConfigMapVolumeSource(name: "special-config", items: [KeyToPath(key: "SPECIAL_TYPE", path: "type", mode: 0o440)])),
            .downwardAPI(DownwardAPIVolumeSource(items: [DownwardAPIVolumeFile(
                path: "podname", value: .field(ObjectFieldSelector(fieldPath: "metadata.name")))])),
            .configMap(ConfigMapVolumeSource(name: "not-there", optional: true)),
        ], defaultMode: 0o600)
        try withPod([Volume(name: "all-in-one", source: .projected(source))]) { store, _, failures in
            #expect(failures.isEmpty)
            let dir = store.volumeDir("vols", "all-in-one")
            #expect(isTmpfs(dir))
            #expect(text(dir + "/my-group/my-username") == "my-app")
            #expect(text(dir + "/type") == "charm")
            #expect(text(dir + "/podname") == "vols")
            #expect(mode(dir + "/my-group/my-username") == 0o600)
            #expect(mode(dir + "/type") == 0o440)
        }
    }

    @Test func missingObjectsAndKeysFailWithTheKubeletsMessages() throws {
        let volumes = [
            Volume(name: "a", source: .configMap(ConfigMapVolumeSource(name: "nope"))),
            Volume(name: "b", source: .secret(SecretVolumeSource(secretName: "nope"))),
            Volume(name: "c", source: .configMap(ConfigMapVolumeSource(name: "special-config", items: [KeyToPath(key: "x", path: "x")]))),
            Volume(name: "d", source: .configMap(ConfigMapVolumeSource(name: "nope", optional: true))),
        ]
        try withPod(volumes) { store, _, failures in
            #expect(failures == [
                PodVolumes.Failure(volume: "a", message: "configmap \"nope\" not found"),
                PodVolumes.Failure(volume: "b", message: "secret \"nope\" not found"),
                PodVolumes.Failure(volume: "c", message: "configmap references non-existent config key: x"),
            ])
            #expect(!FileManager.default.fileExists(atPath: store.volumeDir("vols", "b")), "nothing is mounted for a failed secret")
            let optional = store.volumeDir("vols", "d")
            #expect(FileManager.default.fileExists(atPath: optional + "/..data"))
        }
    }

    /// configmap_volume.go/secrets_volume.go "as non-root with FSGroup", empty_dir.go fsGroup
    /// cases: the group owns every file, files are group-readable (configMap) or read-write
    /// (emptyDir), directories setgid.
    @Test func fsGroupOwnsTheFilesWithTheKubeletsModes() throws {
        let volumes = [
            Volume(name: "config", source: .configMap(ConfigMapVolumeSource(name: "special-config", defaultMode: 0o400))),
            Volume(name: "scratch", source: .emptyDir(EmptyDirVolumeSource())),
        ]
        try withPod(volumes, fsGroup: 1234) { store, _, failures in
            #expect(failures.isEmpty)
            let config = store.volumeDir("vols", "config")
            var info = stat()
            #expect(stat(config + "/SPECIAL_LEVEL", &info) == 0 && info.st_gid == 1234)
            #expect(mode(config + "/SPECIAL_LEVEL") == 0o440, "defaultMode 0400 | 0440")
            #expect(lstat(config + "/..data", &info) == 0 && info.st_gid == 1234, "the symlinks' group too")
            let scratch = store.volumeDir("vols", "scratch")
            #expect(mode(scratch) == 0o2777, "0777 | setgid")
            #expect(stat(scratch, &info) == 0 && info.st_gid == 1234)
        }
    }

    @Test func removingThePodsDirectoryUnmountsItsVolumes() throws {
        let volumes = [Volume(name: "s", source: .secret(SecretVolumeSource(secretName: "test-secret"))),
                       Volume(name: "m", source: .emptyDir(EmptyDirVolumeSource(medium: .memory)))]
        try withPod(volumes) { store, _, failures in
            #expect(failures.isEmpty)
            #expect(isTmpfs(store.volumeDir("vols", "s")) && isTmpfs(store.volumeDir("vols", "m")))
            store.remove("vols")
            let mountinfo = text("/proc/self/mountinfo") ?? ""
            #expect(!mountinfo.contains(store.podDir("vols")))
            #expect(!FileManager.default.fileExists(atPath: store.podDir("vols")))
        }
    }

    @Test func memoryVolumesAreSizedAsTheKubeletSizesThem() throws {
        func pod(_ limits: [String?]) throws -> Pod {
            Pod(metadata: ObjectMeta(name: "p"), spec: PodSpec(containers: try limits.enumerated().map { i, limit in
                Container(name: "c\(i)", image: Image(written: "x", resolved: "/x"),
                          resources: ResourceRequirements(limits: ResourceList(memory: try limit.map { try Quantity($0) })))
            }))
        }
        let node: Int64 = 8 << 30
        #expect(PodVolumes.memoryVolumeSize(pod: try pod([nil]), sizeLimit: nil, nodeMemory: node) == node)
        #expect(PodVolumes.memoryVolumeSize(pod: try pod(["1Gi", "1Gi"]), sizeLimit: nil, nodeMemory: node) == 2 << 30)
        #expect(PodVolumes.memoryVolumeSize(pod: try pod(["1Gi", nil]), sizeLimit: nil, nodeMemory: node) == node,
                "a container without a limit: the pod has none")
        #expect(PodVolumes.memoryVolumeSize(pod: try pod(["1Gi"]), sizeLimit: try Quantity("64Mi"), nodeMemory: node) == 64 << 20)
        #expect(PodVolumes.memoryVolumeSize(pod: try pod(["1Gi"]), sizeLimit: try Quantity("2Gi"), nodeMemory: node) == 1 << 30,
                "a sizeLimit above what the pod may use is cut to that")
    }

    @Test func subPathExprExpandsLikeTheKubelet() throws {
        #expect(try SubPathExpansion.expand("$(POD)/logs", env: ["POD": "web"]) == "web/logs")
        #expect(try SubPathExpansion.expand("a$$b", env: [:]) == "a$b")
        #expect(throws: ContainerConfigError.self) { try SubPathExpansion.expand("$(NOPE)/$(EMPTY)", env: ["EMPTY": ""]) }
        do { _ = try SubPathExpansion.expand("$(NOPE)/$(EMPTY)", env: ["EMPTY": ""]) } catch {
            #expect("\(error)" == "missing value for EMPTY, NOPE")
        }
    }

    /// The safe subpath on real files: a key of a configMap volume binds the file itself (its
    /// symlinks resolve inside the volume); a symlink that stays inside the volume is followed; one
    /// that leads out (absolute, or by `..`) is refused and nothing is mounted.
    @Test func subPathBindsStayInsideTheirVolume() throws {
        let volumes = [Volume(name: "config", source: .configMap(ConfigMapVolumeSource(name: "special-config"))),
                       Volume(name: "scratch", source: .emptyDir(EmptyDirVolumeSource()))]
        try withPod(volumes) { store, _, failures in
            #expect(failures.isEmpty)
            let scratch = store.volumeDir("vols", "scratch")
            try FileManager.default.createDirectory(atPath: scratch + "/real/dir", withIntermediateDirectories: true)
            try "inside".write(toFile: scratch + "/real/dir/file", atomically: false, encoding: .utf8)
            symlink("real/dir", scratch + "/inside")
            symlink("/etc", scratch + "/absolute")
            symlink("../../../../../../../../etc", scratch + "/backstep")
            func mount(_ volume: String, _ subPath: String, _ index: Int) -> SubPathMount {
                SubPathMount(volume: volume, container: "app", volumeRoot: store.volumeDir("vols", volume), subPath: subPath,
                             target: SubPathMounts.target(store: store, pod: "vols", volume: volume, container: "app", index: index))
            }
            let key = mount("config", "SPECIAL_LEVEL", 0)
            try SubPathMounts.bind(key)
            #expect(text(key.target) == "very", "the key's file, bound")
            let inside = mount("scratch", "inside", 1)
            try SubPathMounts.bind(inside)
            #expect(text(inside.target + "/file") == "inside")
            for (index, escape) in ["absolute", "backstep"].enumerated() {
                let attempt = mount("scratch", escape, 2 + index)
                #expect(throws: ContainerConfigError.self) { try SubPathMounts.bind(attempt) }
                #expect(!FileManager.default.fileExists(atPath: attempt.target + "/passwd"), "nothing of the host's /etc")
            }
        }
    }
}
