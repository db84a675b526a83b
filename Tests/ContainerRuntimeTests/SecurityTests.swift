import CShims
import ContainerRuntime
import Foundation
import Testing

/// Each protection is tested by trying the attack from inside a real container.
@Suite(.enabled(if: TestSupport.isRoot, TestSupport.rootReason), .serialized)
struct SecurityTests {
    /// Docker's 14 capabilities as a /proc/self/status mask.
    static let dockerCaps = "00000000a80425fb"

    static func status(_ field: String, in text: String) -> String? {
        text.split(separator: "\n").first { $0.hasPrefix(field + ":") }
            .map { $0.dropFirst(field.count + 1).trimmingCharacters(in: .whitespaces) }
    }

    @Test func defaultProfileCapsNoNewPrivsAndSeccomp() {
        let r = TestBundle(args: ["cat", "/proc/self/status"]).run()
        #expect(r.status == 0, "\(r.stderr)")
        for f in ["CapBnd", "CapEff", "CapPrm"] { #expect(Self.status(f, in: r.stdout) == Self.dockerCaps, "\(f)") }
        #expect(Self.status("CapInh", in: r.stdout) == "0000000000000000")
        #expect(Self.status("CapAmb", in: r.stdout) == "0000000000000000")
        #expect(Self.status("NoNewPrivs", in: r.stdout) == "1")
        #expect(Self.status("Seccomp", in: r.stdout) == "2")
    }

    @Test func noSeccompSectionMeansNoFilter() {
        let r = TestBundle(args: ["cat", "/proc/self/status"]) { $0.linux?.seccomp = nil }.run()
        #expect(Self.status("Seccomp", in: r.stdout) == "0", "\(r.stdout)")
    }

    /// Even with CAP_SYS_ADMIN the default filter refuses unshare and mount: the filter, not the
    /// missing capability, is what stops them. Without the filter the same calls work.
    @Test func seccompRefusesNamespaceAndMountCallsEvenWithSysAdmin() {
        func withSysAdmin(_ spec: inout OCISpec) {
            for k in [\OCISpec.Capabilities.bounding, \.effective, \.permitted] {
                spec.process?.capabilities?[keyPath: k].append("CAP_SYS_ADMIN")
            }
        }
        let script = "unshare -m true && echo unshare-ok; mount -t tmpfs none /tmp && echo mount-ok; true"
        let filtered = TestBundle(args: ["sh", "-c", script], withSysAdmin).run()
        #expect(!filtered.stdout.contains("unshare-ok") && !filtered.stdout.contains("mount-ok"), "\(filtered.stdout)")
        #expect(filtered.stderr.contains("Operation not permitted"), "\(filtered.stderr)")
        let open = TestBundle(args: ["sh", "-c", script]) { withSysAdmin(&$0); $0.linux?.seccomp = nil }.run()
        #expect(open.stdout.contains("unshare-ok") && open.stdout.contains("mount-ok"), "\(open.stdout) \(open.stderr)")
    }

    @Test func seccompStillLetsOrdinaryProgramsRun() {
        let r = TestBundle(args: ["sh", "-c", "ps >/dev/null && ls / >/dev/null && date >/dev/null && wget -q -O /dev/null http://127.0.0.1:1 2>/dev/null; echo done"]).run()
        #expect(r.status == 0 && r.stdout == "done\n", "\(r.stdout) \(r.stderr)")
    }

    /// CAP_MKNOD gives nothing: a node for the host's root disk can be made, not opened.
    @Test func theDeviceCgroupRefusesTheHostDisk() throws {
        var st = stat()
        #expect(stat("/", &st) == 0)
        let major = (st.st_dev >> 8) & 0xfff, minor = (st.st_dev & 0xff) | ((st.st_dev >> 12) & 0xfff00)
        let r = TestBundle(args: ["sh", "-c", "mknod /dev/hostdisk b \(major) \(minor) && echo made; head -c 1 /dev/hostdisk >/dev/null && echo READ"]).run()
        #expect(r.stdout.contains("made"), "mknod should work with CAP_MKNOD: \(r.stderr)")
        #expect(!r.stdout.contains("READ"))
        #expect(r.stderr.contains("Operation not permitted"), "\(r.stderr)")
    }

    @Test func cwdCannotReachAHostFdThroughProc() {
        // CVE-2024-21626: a cwd of /proc/self/fd/N used to land on an fd leaked from the host.
        let r = TestBundle(args: ["pwd"]) { $0.process?.cwd = "/proc/self/fd/3" }.run()
        #expect(r.status != 0)
        #expect(r.stderr.contains("entering the working directory /proc/self/fd/3 failed"), "\(r.stderr)")
    }

    @Test func theRuntimeIsNotDumpableOnceItStartsContainers() throws {
        let b = TestBundle(args: ["true"])
        let c = try Container.start(id: TestSupport.uniqueID(), spec: b.spec, bundle: b.dir, options: LaunchOptions(dieWithParent: false))
        _ = c.wait()
        try c.destroy()
        // Non-dumpable: no process of another user namespace or without CAP_SYS_PTRACE can open
        // /proc/<runtime>/exe (CVE-2019-5736).
        #expect(sl_get_dumpable() == 0)
    }
}

/// Images built to attack the runtime: every symlink must resolve inside the rootfs.
@Suite(.enabled(if: TestSupport.isRoot, TestSupport.rootReason), .serialized)
struct HostileRootfsTests {
    /// A private copy of the busybox image to plant symlinks in.
    static func hostileImage() -> String {
        let dir = TestSupport.tempDir("swiftlet-hostile")
        let r = TestSupport.sh("mkdir '\(dir)/rootfs' && cp -a '\(TestSupport.busybox)/.' '\(dir)/rootfs/'")
        precondition(r.status == 0, r.stderr)
        return dir + "/rootfs"
    }

    @Test func aMountTargetSymlinkedToAHostPathStaysInside() throws {
        let image = Self.hostileImage()
        defer { try? FileManager.default.removeItem(atPath: (image as NSString).deletingLastPathComponent) }
        let hostDir = TestSupport.tempDir("swiftlet-hostdir", under: "/var/tmp")
        defer { try? FileManager.default.removeItem(atPath: hostDir) }
        // The link's target exists on the host and in the image: the image's must be chosen.
        try FileManager.default.createDirectory(atPath: image + hostDir, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: image + "/data", withDestinationPath: hostDir)
        let b = TestBundle(args: ["sh", "-c", "grep ' /data/sub\\| \(hostDir)/sub' /proc/self/mountinfo | cut -d' ' -f5"], rootfs: image) {
            $0.root?.readonly = false
            $0.mounts.append(OCISpec.Mount(destination: "/data/sub", type: "tmpfs", source: "tmpfs"))
        }
        let r = b.run()
        #expect(r.status == 0, "\(r.stderr)")
        // The directory was created inside the image, never on the host.
        #expect(!FileManager.default.fileExists(atPath: hostDir + "/sub"))
        #expect(FileManager.default.fileExists(atPath: image + hostDir + "/sub"))
        #expect(r.stdout.contains(hostDir + "/sub"), "mounted inside the container at the resolved path: \(r.stdout)")
    }

    @Test func dotDotInAMountTargetCannotClimbOut() throws {
        let image = Self.hostileImage()
        defer { try? FileManager.default.removeItem(atPath: (image as NSString).deletingLastPathComponent) }
        let hostDir = TestSupport.tempDir("swiftlet-hostdir", under: "/var/tmp")
        defer { try? FileManager.default.removeItem(atPath: hostDir) }
        try FileManager.default.createDirectory(atPath: image + hostDir, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: image + "/escape", withDestinationPath: "../../../../../../../.." + hostDir)
        let b = TestBundle(args: ["true"], rootfs: image) {
            $0.root?.readonly = false
            $0.mounts.append(OCISpec.Mount(destination: "/escape/made-by-runtime", type: "tmpfs", source: "tmpfs"))
        }
        let r = b.run()
        #expect(r.status == 0, "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: hostDir + "/made-by-runtime"))
        #expect(FileManager.default.fileExists(atPath: image + hostDir + "/made-by-runtime"))
    }

    /// CVE-2025-31133: /dev/null replaced by a symlink to a host file must not be used to mask
    /// /proc paths (that would bind the host file into the container, writable).
    @Test func aDevNullSymlinkIsRefusedForMasking() throws {
        let image = Self.hostileImage()
        defer { try? FileManager.default.removeItem(atPath: (image as NSString).deletingLastPathComponent) }
        let hostFile = TestSupport.tempDir("swiftlet-hostfile") + "/secret"
        try "host secret\n".write(toFile: hostFile, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: (hostFile as NSString).deletingLastPathComponent) }
        try FileManager.default.createSymbolicLink(atPath: image + "/dev/null", withDestinationPath: hostFile)
        let b = TestBundle(args: ["sh", "-c", "echo pwned > /proc/kcore; cat /proc/kcore"], rootfs: image) {
            $0.root?.readonly = false
            $0.mounts.removeAll { $0.destination.hasPrefix("/dev") }   // the image's own /dev is used
        }
        let r = b.run()
        #expect(r.status != 0)
        #expect(r.stderr.contains("masking /proc/") && r.stderr.contains("Too many levels of symbolic links"), "\(r.stderr)")
        #expect(try String(contentsOfFile: hostFile, encoding: .utf8) == "host secret\n")
    }
}
