import ContainerRuntime
import Foundation
import Testing

/// Configs runc runs run here too: each case is checked from inside a real container.
@Suite(.enabled(if: TestSupport.isRoot, TestSupport.rootReason), .serialized)
struct RuncCompatibilityTests {
    /// One line of /proc/self/mountinfo, split into the fields these tests look at.
    struct MountLine {
        var mountPoint: String
        var optional: [String]     // "shared:3", "master:2", "unbindable"
        var fstype: String
        var source: String
        var superOptions: [String]

        init?(_ line: Substring) {
            let f = line.split(separator: " ").map(String.init)
            guard let dash = f.firstIndex(of: "-"), dash >= 6, f.count >= dash + 4 else { return nil }
            mountPoint = f[4]
            optional = Array(f[6..<dash])
            fstype = f[dash + 1]
            source = f[dash + 2]
            superOptions = f[dash + 3].split(separator: ",").map(String.init)
        }
    }

    static func mounts(_ text: String) -> [MountLine] {
        text.split(separator: "\n").compactMap(MountLine.init)
    }

    /// proc, tmpfs, devpts, mqueue and sysfs show the config's source, not "none"; a read-only
    /// sysfs is read-only at the superblock too, as runc's mount(2) with MS_RDONLY makes it.
    @Test func filesystemMountsShowTheConfigsSource() throws {
        let b = TestBundle(args: ["cat", "/proc/self/mountinfo"])
        let r = b.run()
        #expect(r.status == 0, "\(r.stderr)")
        let byPoint = Dictionary(Self.mounts(r.stdout).map { ($0.mountPoint, $0) }, uniquingKeysWith: { $1 })
        let expected = ["/proc": "proc", "/dev": "tmpfs", "/dev/pts": "devpts", "/dev/shm": "shm",
                        "/dev/mqueue": "mqueue", "/sys": "sysfs", "/sys/fs/cgroup": "cgroup", "/tmp": "tmpfs"]
        for (point, source) in expected {
            let m = try #require(byPoint[point], "no \(point) in \(r.stdout)")
            #expect(m.source == source, "\(point): source \(m.source), expected \(source)")
        }
        #expect(byPoint["/sys"]?.superOptions.first == "ro", "sysfs superblock: \(byPoint["/sys"]?.superOptions ?? [])")
        #expect(byPoint["/proc"]?.superOptions.first == "rw")
    }

    /// A host directory bound onto a shared mount, used as the rootfs, so that propagation
    /// between host and container can be observed. Undone by `remove`.
    final class SharedRootfs {
        let dir = TestSupport.tempDir("swiftlet-prop")
        var root: String { dir + "/root" }

        init() throws {
            let r = TestSupport.sh("mkdir -p '\(root)' && mount --bind '\(TestSupport.busybox)' '\(root)' && mount --make-shared '\(root)'")
            try #require(r.status == 0, "\(r.stderr)")
        }

        /// Host mounts below the rootfs (propagation leaks would show up here).
        func hostMounts() -> [String] {
            let text = (try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)) ?? ""
            return RuncCompatibilityTests.mounts(text).map(\.mountPoint).filter { $0.hasPrefix(dir) }
        }

        func remove() {
            _ = TestSupport.sh("umount -R '\(root)/mnt' 2>/dev/null; umount -R '\(root)'; rmdir '\(root)' '\(dir)'")
        }
    }

    /// Every propagation runc accepts works (shared used to fail: pivot_root refuses a shared
    /// parent). The container's "/" carries the propagation; a host mount below a shared rootfs
    /// reaches a slave container only; nothing the container mounts reaches the host.
    @Test(arguments: ["shared", "rshared", "slave", "rslave", "private", "rprivate", "unbindable", "runbindable"])
    func rootfsPropagation(_ propagation: String) throws {
        let shared = try SharedRootfs()
        defer { shared.remove() }
        // Waits up to 3 s for a mount on /mnt to show up, then prints the mount table.
        let script = "i=0; while [ $i -lt 30 ] && ! grep -q ' /mnt ' /proc/self/mountinfo; do sleep 0.1; i=$((i+1)); done; cat /proc/self/mountinfo"
        let bundle = TestBundle(args: ["sh", "-c", script], rootfs: shared.root) { $0.linux?.rootfsPropagation = propagation }
        let run = try BackgroundRun(bundle)
        try #require(run.containerPID != nil, "container did not start: \(run.finish().stderr)")
        #expect(TestSupport.sh("mount -t tmpfs hostside '\(shared.root)/mnt'").status == 0)
        let r = run.finish()
        try #require(r.status == 0, "\(r.stderr)")

        let mounts = Self.mounts(r.stdout)
        let root = try #require(mounts.first { $0.mountPoint == "/" }, "\(r.stdout)")
        let tag = propagation.hasPrefix("r") && propagation != "rprivate" ? String(propagation.dropFirst()) : propagation
        switch tag {
        case "shared": #expect(root.optional.contains { $0.hasPrefix("shared:") }, "\(root.optional)")
        case "slave": #expect(root.optional.contains { $0.hasPrefix("master:") }, "\(root.optional)")
        case "unbindable": #expect(root.optional == ["unbindable"])
        default: #expect(root.optional.isEmpty, "\(root.optional)")
        }
        let sawHostMount = mounts.contains { $0.mountPoint == "/mnt" && $0.source == "hostside" }
        #expect(sawHostMount == (tag == "slave"), "host mount on /mnt seen: \(sawHostMount)")
        // Only the rootfs bind and our own /mnt mount: the container's /proc, /dev... stayed inside.
        #expect(Set(shared.hostMounts()) == [shared.root, shared.root + "/mnt"], "\(shared.hostMounts())")
    }

    /// runc ignores filesystem data on a bind ("mode=755", "size=", "uid="); the flags still apply.
    @Test func bindMountDataOptionsAreIgnoredAndFlagsKept() throws {
        let host = TestSupport.tempDir("swiftlet-bind-data")
        defer { try? FileManager.default.removeItem(atPath: host) }
        #expect(FileManager.default.createFile(atPath: host + "/hello", contents: Data("from-host\n".utf8)))
        // /mnt exists in the image: a new target would be created in the shared image.
        let b = TestBundle(args: ["sh", "-c", "cat /mnt/hello; touch /mnt/x 2>&1; grep ' /mnt ' /proc/self/mountinfo"]) {
            $0.mounts.append(OCISpec.Mount(destination: "/mnt", type: "bind", source: host,
                                           options: ["rbind", "ro", "nosuid", "mode=755", "size=1m", "uid=0", "newinstance"]))
        }
        let r = b.run()
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("from-host"))
        #expect(r.stdout.contains("Read-only file system"), "\(r.stdout)")
        let line = try #require(Self.mounts(r.stdout).first { $0.mountPoint == "/mnt" }, "\(r.stdout)")
        let perMount = r.stdout.split(separator: "\n").first { $0.contains(" /mnt ") }?.split(separator: " ")[5] ?? ""
        #expect(perMount.split(separator: ",").contains("ro") && perMount.split(separator: ",").contains("nosuid"), "\(perMount)")
        #expect(!line.superOptions.contains("mode=755"), "\(line.superOptions)")
        #expect(!FileManager.default.fileExists(atPath: host + "/x"))
    }

    /// Unknown capability names are skipped with a warning naming the field; the known ones apply.
    @Test func unknownCapabilitiesAreIgnoredWithAWarning() {
        let b = TestBundle(args: ["sh", "-c", "grep CapBnd /proc/self/status"]) {
            $0.process?.capabilities?.bounding.append("CAP_TEST")
            $0.process?.capabilities?.effective.insert("CAP_TEST", at: 0)
        }
        let r = b.run()
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains(#"swiftlet-runtime: warning: process.capabilities.bounding: unknown capability "CAP_TEST" ignored"#), "\(r.stderr)")
        #expect(r.stderr.contains(#"swiftlet-runtime: warning: process.capabilities.effective: unknown capability "CAP_TEST" ignored"#), "\(r.stderr)")
        #expect(SecurityTests.status("CapBnd", in: r.stdout) == SecurityTests.dockerCaps, "\(r.stdout)")
    }

    /// A container joins another's pid namespace by path (pods sharing a process namespace): it
    /// sees the first container's processes, whose init is pid 1 there, and is not pid 1 itself.
    @Test func joinsAPidNamespaceByPath() throws {
        let first = try BackgroundRun(TestBundle(args: LifecycleTests.sleeper))
        let pid = try #require(first.containerPID)
        let hostView = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/ns/pid")
        let second = TestBundle(args: ["sh", "-c", "echo $$; readlink /proc/self/ns/pid; tr '\\0' ' ' < /proc/1/cmdline; echo; ps -o pid,args"]) {
            LifecycleTests.join(&$0, "pid", "/proc/\(pid)/ns/pid")
        }
        let r = second.run()
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n").map(String.init)
        try #require(lines.count >= 4, "\(r.stdout)")
        #expect(lines[0] != "1", "the joining init must not be pid 1: \(r.stdout)")
        #expect(lines[1] == hostView)
        #expect(lines[2].hasPrefix("sh -c trap"), "pid 1 should be the first container's init: \(lines[2])")
        #expect(lines.dropFirst(3).contains { $0.contains("sleep") }, "the first container's processes: \(r.stdout)")

        // In-process: the init is born in the joined namespace, and the calling thread's children
        // go back to the thread's own pid namespace afterwards (setns is undone).
        let third = TestBundle(args: ["sleep", "30"]) { LifecycleTests.join(&$0, "pid", "/proc/\(pid)/ns/pid") }
        let c = try Container.start(id: TestSupport.uniqueID(), spec: third.spec, bundle: third.dir,
                                    options: LaunchOptions(dieWithParent: false))
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(c.pid)/ns/pid") == hostView)
        let own = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/thread-self/ns/pid")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/thread-self/ns/pid_for_children") == own)
        try c.destroy()
        _ = first.bundle.cli(["kill", first.id, "KILL"])
        _ = first.finish()
    }
}
