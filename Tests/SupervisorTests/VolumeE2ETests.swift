import Foundation
import Testing

/// Volumes of real pods run by the `swiftlet` binary: downwardAPI, emptyDir on tmpfs, subPath
/// (and its symlink escape), a missing ConfigMap. Each test ports Kubernetes e2e cases
/// (test/e2e/common/storage/*.go, test/e2e/storage/testsuites/subpath.go) with busybox, and
/// checks from inside the container what a node would show.
@Suite(.enabled(if: geteuid() == 0, "needs root: pods run real containers and mount tmpfs"), .serialized)
struct VolumeE2ETests {
    static let busybox = E2ESession.busybox

    /// Runs a one-container pod that prints and exits (restartPolicy Never); returns its log.
    private func output(_ s: E2ESession, _ name: String, _ yaml: String, sourceLocation: SourceLocation = #_sourceLocation) -> String {
        guard s.runDetached(yaml, sourceLocation: sourceLocation) else { return "" }
        #expect(s.eventually(30) { ["Succeeded", "Failed"].contains(s.phase(name) ?? "") },
                "pod \(name) ends: \(s.events(name))", sourceLocation: sourceLocation)
        return s.run(["logs", name]).out
    }

    /// No mount of the pod's directory is left on the host.
    private func expectNoMounts(_ s: E2ESession, pod: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let mountinfo = (try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)) ?? ""
        let left = mountinfo.split(separator: "\n").filter { $0.contains(s.root + "/pods/" + pod) }
        #expect(left.isEmpty, "mounts left: \(left)", sourceLocation: sourceLocation)
        #expect(!FileManager.default.fileExists(atPath: s.root + "/pods/" + pod), sourceLocation: sourceLocation)
    }

    /// Ports downwardapi_volume.go "should provide podname only", "should set DefaultMode on
    /// files", "should set mode on item file", "should provide container's cpu limit" and
    /// "memory limit", and the docs' kubernetes-downwardapi-volume-example (labels, annotations).
    @Test func downwardAPIVolumeFilesAsTheKubeletWritesThem() {
        let s = E2ESession()
        let name = s.podPrefix("vol-dapi")
        let log = output(s, name, """
            apiVersion: v1
            kind: Pod
            metadata:
              name: \(name)
              labels: {zone: us-est-coast, cluster: test-cluster1, rack: rack-22}
              annotations: {build: two, builder: john-doe}
            spec:
              restartPolicy: Never
              containers:
              - name: client-container
                image: \(Self.busybox)
                command: [sh, -c, 'cd /etc/podinfo; for f in labels annotations podname cpu_limit mem_limit; do echo "$f=[$(cat $f)]"; done; stat -L -c "%n %a" podname mode_item ..data/podname; readlink labels; readlink ..data; echo x > new || echo read-only']
                resources: {limits: {cpu: 250m, memory: 64Mi}}
                volumeMounts: [{name: podinfo, mountPath: /etc/podinfo}]
              volumes:
              - name: podinfo
                downwardAPI:
                  defaultMode: 0400
                  items:
                  - {path: labels, fieldRef: {fieldPath: metadata.labels}}
                  - {path: annotations, fieldRef: {fieldPath: metadata.annotations}}
                  - {path: podname, fieldRef: {fieldPath: metadata.name}}
                  - {path: mode_item, fieldRef: {fieldPath: metadata.namespace}, mode: 0600}
                  - {path: cpu_limit, resourceFieldRef: {containerName: client-container, resource: limits.cpu, divisor: 1m}}
                  - {path: mem_limit, resourceFieldRef: {containerName: client-container, resource: limits.memory, divisor: 1Mi}}
            """)
        #expect(log.contains("labels=[cluster=\"test-cluster1\"\nrack=\"rack-22\"\nzone=\"us-est-coast\"]"), "\(log)")
        #expect(log.contains("annotations=[build=\"two\"\nbuilder=\"john-doe\"]"), "\(log)")
        #expect(log.contains("podname=[\(name)]"), "\(log)")
        #expect(log.contains("cpu_limit=[250]"), "\(log)")
        #expect(log.contains("mem_limit=[64]"), "\(log)")
        #expect(log.contains("podname 400\nmode_item 600\n..data/podname 400"), "\(log)")
        #expect(log.contains("..data/labels\n..20"), "the atomic writer's symlinks: \(log)")
        #expect(log.contains("Read-only file system") && log.contains("read-only"), "\(log)")
        #expect(s.run(["delete", "pod", name]).status == 0)
        expectNoMounts(s, pod: name)
    }

    /// Ports empty_dir.go "volume on tmpfs should have the correct mode" and "should support
    /// (root,0644,tmpfs)", and the sizeLimit of a Memory emptyDir: tmpfs refuses to write past it.
    /// Two containers share the volume.
    @Test func memoryEmptyDirIsATmpfsOfItsSizeLimitSharedByThePodsContainers() {
        let s = E2ESession()
        let name = s.podPrefix("vol-tmpfs")
        guard s.runDetached("""
            apiVersion: v1
            kind: Pod
            metadata: {name: \(name)}
            spec:
              restartPolicy: Never
              containers:
              - name: writer
                image: \(Self.busybox)
                command: [sh, -c, 'echo shared > /cache/note; dd if=/dev/zero of=/cache/big bs=1M count=3 2>&1; echo dd=$?; exec sleep 600']
                volumeMounts: [{name: cache, mountPath: /cache}]
              - name: reader
                image: \(Self.busybox)
                command: [sh, -c, 'grep " /data " /proc/mounts; stat -c "mode %a" /data; while ! cat /data/note 2>/dev/null; do sleep 0.2; done; exec sleep 600']
                volumeMounts: [{name: cache, mountPath: /data}]
              volumes:
              - name: cache
                emptyDir: {medium: Memory, sizeLimit: 2Mi}
            """) else { return }
        var writer = "", reader = ""
        #expect(s.eventually(30) {
            writer = s.run(["logs", name, "-c", "writer"]).out
            reader = s.run(["logs", name, "-c", "reader"]).out
            return writer.contains("dd=") && reader.contains("shared")
        }, "writer: \(writer) reader: \(reader)")
        #expect(writer.contains("No space left on device") && writer.contains("dd=1"), "\(writer)")
        #expect(reader.contains("tmpfs /data tmpfs") && reader.contains("size=2048k"), "\(reader)")
        #expect(reader.contains("mode 777"), "\(reader)")
        let volume = s.root + "/pods/\(name)/volumes/cache"
        let mountinfo = (try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)) ?? ""
        let tmpfs = mountinfo.split(separator: "\n").filter { $0.contains(" \(volume) ") }
        #expect(tmpfs.count == 1 && tmpfs[0].contains(" - tmpfs "), "the tmpfs is mounted on the host side, under the pod: \(tmpfs)")
        #expect(s.run(["delete", "pod", name, "--grace-period", "1"]).status == 0)
        expectNoMounts(s, pod: name)
    }

    /// Ports subpath.go "should support non-existent path", "should support existing directory",
    /// "should support existing single file" and "should support creating multiple subpath from
    /// same volumes", and subPathExpr from an env var ("should support subPathExpr" of
    /// expansion.go, with a plain value).
    @Test func subPathMountsOnlyThatPathOfTheVolume() {
        let s = E2ESession()
        let name = s.podPrefix("vol-subpath")
        let log = output(s, name, """
            apiVersion: v1
            kind: Pod
            metadata: {name: \(name)}
            spec:
              restartPolicy: Never
              containers:
              - name: c
                image: \(Self.busybox)
                env: [{name: SUBDIR, value: from-env}]
                command: [sh, -c, 'echo one > /sub/file; echo two > /expr/file; ls /whole /whole/a /whole/from-env; cat /whole/a/b/file /whole/from-env/file; stat -c "%a" /whole/a/b; echo three > /whole/single; echo $(cat /single-file)']
                volumeMounts:
                - {name: data, mountPath: /sub, subPath: a/b}
                - {name: data, mountPath: /expr, subPathExpr: $(SUBDIR)}
                - {name: data, mountPath: /whole}
              volumes:
              - {name: data, emptyDir: {}}
            """)
        #expect(log.contains("one\ntwo\n"), "files written through the subPath mounts land in the volume: \(log)")
        #expect(log.contains("/whole/a:\nb"), "\(log)")
        #expect(log.contains("777"), "a subPath made in an emptyDir has the volume's mode: \(log)")
        #expect(s.run(["delete", "pod", name]).status == 0)
        expectNoMounts(s, pod: name)
    }

    /// The attack of CVE-2017-1002101 (subpath.go "should fail if subpath with backstep is
    /// outside the volume", "should fail if subpath directory is outside the volume"): a
    /// container replaces its subPath with a symlink to `/` (or out of the volume with `..`),
    /// and fails, so that its next instance would mount the host's root. That instance is
    /// refused (CreateContainerConfigError) and nothing of the host is mounted.
    @Test(arguments: ["/", "../../../../../../.."])
    func aSubPathSwappedForASymlinkOutOfTheVolumeIsRefused(target: String) {
        let s = E2ESession()
        let name = s.podPrefix("vol-escape")
        guard s.runDetached("""
            apiVersion: v1
            kind: Pod
            metadata: {name: \(name)}
            spec:
              restartPolicy: OnFailure
              containers:
              - name: c
                image: \(Self.busybox)
                command: [sh, -c, 'ls /escaped/etc/shadow && echo ESCAPED; rmdir /vol/escape && ln -s \(target) /vol/escape; exit 1']
                volumeMounts:
                - {name: data, mountPath: /vol}
                - {name: data, mountPath: /escaped, subPath: escape}
              volumes:
              - {name: data, emptyDir: {}}
            """) else { return }
        // The kubelet's reason is CreateContainerConfigError; as for any start that fails,
        // swiftlet then backs off (CrashLoopBackOff) before it tries again.
        let refusal = "Error: failed to prepare subPath for volumeMount \"data\" of container \"c\""
        #expect(s.eventually(30) { s.messages(name, reason: "Failed").contains(refusal) }, "\(s.events(name))")
        let waiting = (s.containerStatus(name)?["state"] as? [String: Any])?["waiting"] as? [String: Any]
        #expect(["CreateContainerConfigError", "CrashLoopBackOff"].contains(waiting?["reason"] as? String ?? ""), "\(String(describing: waiting))")
        #expect(s.events(name).filter { $0.reason == "Started" }.map(\.count) == [1], "no instance started after the swap")
        let logs = s.run(["logs", name]).out + s.run(["logs", name, "--previous"]).out
        #expect(!logs.contains("ESCAPED"), "\(logs)")
        let mountinfo = (try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)) ?? ""
        let subpaths = mountinfo.split(separator: "\n").filter { $0.contains(s.root + "/pods/\(name)/volume-subpaths") }
        // Field 4 of mountinfo is the mounted directory inside its filesystem: "/" for the host's root.
        #expect(subpaths.allSatisfy { $0.split(separator: " ")[3] != "/" }, "\(subpaths)")
        #expect(s.run(["delete", "pod", name, "--grace-period", "1"]).status == 0)
        expectNoMounts(s, pod: name)
    }

    /// configmap_volume.go "Should fail non-optional pod creation due to configMap object does
    /// not exist" and "should be consumable from pods in volume ... optional": the pod waits in
    /// ContainerCreating with FailedMount events; an optional one starts with an empty volume.
    @Test func aMissingConfigMapHoldsThePodUnlessOptional() {
        let s = E2ESession()
        let held = s.podPrefix("vol-cm-held")
        let optional = s.podPrefix("vol-cm-opt")
        func pod(_ name: String, optional: Bool) -> String {
            """
            apiVersion: v1
            kind: Pod
            metadata: {name: \(name)}
            spec:
              restartPolicy: Never
              containers:
              - name: c
                image: \(Self.busybox)
                command: [sh, -c, 'echo "[$(ls /etc/config)]"; readlink /etc/config/..data']
                volumeMounts: [{name: config, mountPath: /etc/config}]
              volumes:
              - name: config
                configMap: {name: missing-\(name), optional: \(optional)}
            """
        }
        guard s.runDetached(pod(held, optional: false)) else { return }
        let log = output(s, optional, pod(optional, optional: true))
        #expect(log.hasPrefix("[]\n..20"), "an optional missing ConfigMap gives an empty volume: \(log)")
        #expect(s.eventually(10) { s.messages(held, reason: "FailedMount").count >= 1 })
        #expect(s.messages(held, reason: "FailedMount").first
                == "MountVolume.SetUp failed for volume \"config\" : configmap \"missing-\(held)\" not found")
        #expect(s.throughout(2) { s.phase(held) == "Pending" })
        let waiting = (s.containerStatus(held)?["state"] as? [String: Any])?["waiting"] as? [String: Any]
        #expect(waiting?["reason"] as? String == "ContainerCreating")
        #expect(s.run(["delete", "pod", held]).status == 0)
        expectNoMounts(s, pod: held)
    }

    // MARK: ConfigMaps and Secrets (documents beside the pod, kept in the state root)

    /// The docs' "Configure a Pod to Use a ConfigMap" volume parts ("Populate a Volume with data
    /// stored in a ConfigMap", "Add ConfigMap data to a specific path in the Volume"), and
    /// configmap_volume.go "should be consumable from pods in volume with defaultMode set",
    /// "with mappings and Item mode set", "as non-root", and a subPath of one key (the file itself).
    @Test func configMapVolumesAsTheDocsShowThem() {
        let s = E2ESession()
        let name = s.podPrefix("vol-cm")
        let log = output(s, name, """
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: special-config}
            data: {SPECIAL_LEVEL: very, SPECIAL_TYPE: charm}
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: \(name)}
            spec:
              restartPolicy: Never
              containers:
              - name: test-container
                image: \(Self.busybox)
                securityContext: {runAsUser: 1000}
                command: [sh, -c, 'ls /etc/config/; cat /etc/config/SPECIAL_LEVEL; echo; stat -L -c "%a" /etc/config/SPECIAL_TYPE; cat /etc/keys/keys; echo; stat -L -c "%a" /etc/keys/keys; cat /etc/level; echo; grep " /etc/config " /proc/mounts']
                volumeMounts:
                - {name: config-volume, mountPath: /etc/config}
                - {name: keys-volume, mountPath: /etc/keys}
                - {name: config-volume, mountPath: /etc/level, subPath: SPECIAL_LEVEL}
              volumes:
              - name: config-volume
                configMap: {name: special-config, defaultMode: 0644}
              - name: keys-volume
                configMap:
                  name: special-config
                  items: [{key: SPECIAL_LEVEL, path: keys, mode: 0444}]
            """)
        #expect(log.hasPrefix("SPECIAL_LEVEL\nSPECIAL_TYPE\nvery\n644\nvery\n444\nvery\n"), "\(log)")
        #expect(log.contains(" /etc/config ") && log.contains(" ro,"), "mounted read-only: \(log)")
        #expect(s.run(["delete", "pod", name]).status == 0)
        expectNoMounts(s, pod: name)
    }

    /// The docs' "Distribute Credentials Securely Using Secrets" (test-secret at
    /// /etc/secret-volume; "Project Secret keys to specific file paths" with a mode), and
    /// secrets_volume.go "should be consumable from pods in volume with defaultMode set": the
    /// files are on a tmpfs, never on a disk.
    @Test func secretVolumesAreOnATmpfs() {
        let s = E2ESession()
        let name = s.podPrefix("vol-secret")
        let log = output(s, name, """
            apiVersion: v1
            kind: Secret
            metadata: {name: test-secret}
            data:
              username: bXktYXBw
              password: Mzk1MjgkdmRnN0pi
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: \(name)}
            spec:
              restartPolicy: Never
              containers:
              - name: test-container
                image: \(Self.busybox)
                command: [sh, -c, 'ls /etc/secret-volume; cat /etc/secret-volume/password; echo; stat -L -c "%a" /etc/secret-volume/username; cat /etc/foo/my-group/my-username; echo; stat -L -c "%a" /etc/foo/my-group/my-username; grep " /etc/secret-volume " /proc/mounts']
                volumeMounts:
                - {name: secret-volume, mountPath: /etc/secret-volume, readOnly: true}
                - {name: foo, mountPath: /etc/foo}
              volumes:
              - name: secret-volume
                secret: {secretName: test-secret, defaultMode: 0400}
              - name: foo
                secret:
                  secretName: test-secret
                  items: [{key: username, path: my-group/my-username, mode: 0777}]
            """)
        #expect(log.hasPrefix("password\nusername\n39528$vdg7Jb\n400\nmy-app\n777\ntmpfs /etc/secret-volume tmpfs ro,"), "\(log)")
        #expect(s.run(["delete", "pod", name]).status == 0)
        expectNoMounts(s, pod: name)
    }

    /// The docs' "Configure a Pod to Use a Projected Volume for Storage" (without the
    /// serviceAccountToken), with a ConfigMap and downward API source as projected_*.go do.
    @Test func projectedVolumeOfSecretsConfigMapAndDownwardAPI() {
        let s = E2ESession()
        let name = s.podPrefix("vol-proj")
        let log = output(s, name, """
            apiVersion: v1
            kind: Secret
            metadata: {name: user}
            stringData: {username.txt: admin}
            ---
            apiVersion: v1
            kind: Secret
            metadata: {name: pass}
            stringData: {password.txt: 1f2d1e2e67df}
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: proj-config}
            data: {color: blue}
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: \(name), labels: {app: proj}}
            spec:
              restartPolicy: Never
              containers:
              - name: test-projected
                image: \(Self.busybox)
                command: [sh, -c, 'ls /projected-volume/; cat /projected-volume/username.txt /projected-volume/password.txt /projected-volume/config/color /projected-volume/labels; echo; stat -L -c "%a" /projected-volume/username.txt; grep " /projected-volume " /proc/mounts']
                volumeMounts: [{name: all-in-one, mountPath: /projected-volume, readOnly: true}]
              volumes:
              - name: all-in-one
                projected:
                  defaultMode: 0440
                  sources:
                  - secret: {name: user}
                  - secret: {name: pass}
                  - configMap: {name: proj-config, items: [{key: color, path: config/color}]}
                  - downwardAPI: {items: [{path: labels, fieldRef: {fieldPath: metadata.labels}}]}
            """)
        #expect(log.hasPrefix("config\nlabels\npassword.txt\nusername.txt\nadmin1f2d1e2e67dfblueapp=\"proj\"\n440\ntmpfs /projected-volume tmpfs ro,"), "\(log)")
        #expect(s.run(["delete", "pod", name]).status == 0)
        expectNoMounts(s, pod: name)
    }

    /// configmap_volume.go "Should fail non-optional pod creation due to configMap object does
    /// not exist", then the ConfigMap is created: the retried mount succeeds and the pod starts.
    @Test func aPodWaitingForItsConfigMapStartsOnceItIsCreated() {
        let s = E2ESession()
        let name = s.podPrefix("vol-cm-late")
        guard s.runDetached("""
            apiVersion: v1
            kind: Pod
            metadata: {name: \(name)}
            spec:
              restartPolicy: Never
              containers:
              - name: c
                image: \(Self.busybox)
                command: [cat, /etc/config/data-1]
                volumeMounts: [{name: config, mountPath: /etc/config}]
              volumes:
              - {name: config, configMap: {name: late-config}}
            """) else { return }
        #expect(s.eventually(10) { !s.messages(name, reason: "FailedMount").isEmpty })
        let created = s.run(["create", "-f", s.write("""
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: late-config}
            data: {data-1: value-1}
            """)])
        #expect(created.status == 0, "\(created.err)")
        #expect(s.eventually(30) { s.phase(name) == "Succeeded" }, "\(s.events(name))")
        #expect(s.run(["logs", name]).out == "value-1")
    }

    /// A pod with a tmpfs emptyDir, a secret and a subPath, its daemon killed (SIGKILL): `delete`
    /// without a daemon still unmounts every volume and removes the pod's directory.
    @Test func deleteWithoutADaemonLeavesNoMountBehind() {
        let s = E2ESession()
        let name = s.podPrefix("vol-nodaemon")
        guard s.runDetached("""
            apiVersion: v1
            kind: Secret
            metadata: {name: nodaemon-secret}
            stringData: {token: abc}
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: \(name)}
            spec:
              terminationGracePeriodSeconds: 1
              containers:
              - name: c
                image: \(Self.busybox)
                command: [sh, -c, 'cat /s/token; exec sleep 600']
                volumeMounts:
                - {name: cache, mountPath: /cache}
                - {name: cache, mountPath: /sub, subPath: a}
                - {name: s, mountPath: /s}
              volumes:
              - {name: cache, emptyDir: {medium: Memory}}
              - {name: s, secret: {secretName: nodaemon-secret}}
            """) else { return }
        #expect(s.eventually(20) { s.run(["logs", name]).out == "abc" })
        let mountinfo = (try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)) ?? ""
        #expect(mountinfo.split(separator: "\n").filter { $0.contains(s.root + "/pods/" + name) }.count == 3,
                "two tmpfs and a subPath bind")
        s.killDaemon()
        #expect(s.run(["delete", "pod", name, "--grace-period", "1"]).status == 0)
        expectNoMounts(s, pod: name)
    }

    /// A daemon killed and started again takes the pod over with its volumes as they are: the
    /// next instance of the container mounts the same tmpfs and secret files (set up once per pod).
    @Test func aDaemonTakingThePodOverReusesItsVolumes() {
        let s = E2ESession()
        let name = s.podPrefix("vol-adopt")
        guard s.runDetached("""
            apiVersion: v1
            kind: Secret
            metadata: {name: adopt-secret}
            stringData: {token: abc}
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: \(name)}
            spec:
              terminationGracePeriodSeconds: 1
              containers:
              - name: c
                image: \(Self.busybox)
                command: [sh, -c, 'echo run >> /cache/runs; echo "$(cat /s/token) $(wc -l < /cache/runs)"; sleep 2; exit 1']
                volumeMounts:
                - {name: cache, mountPath: /cache}
                - {name: s, mountPath: /s}
              volumes:
              - {name: cache, emptyDir: {medium: Memory}}
              - {name: s, secret: {secretName: adopt-secret}}
            """) else { return }
        #expect(s.eventually(20) { s.run(["logs", name]).out.hasPrefix("abc") })
        s.killDaemon()
        s.startDaemon()
        let before = s.restarts(name)
        // An instance the new daemon started: its line counts every run before it.
        #expect(s.eventually(30) {
            let runs = Int(s.run(["logs", name]).out.split(separator: " ").last?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "") ?? 0
            return s.restarts(name) > before && runs >= before + 2
        }, "the same tmpfs counts every run: \(s.run(["logs", name]).out) \(s.events(name))")
        #expect(s.run(["delete", "pod", name, "--grace-period", "1"]).status == 0)
        expectNoMounts(s, pod: name)
    }
}
