import ContainerRuntime
import Foundation
import Testing

/// Namespaces, the root filesystem and the process settings, checked from inside real containers.
@Suite(.enabled(if: TestSupport.isRoot, TestSupport.rootReason), .serialized)
struct IsolationTests {
    @Test func initIsPidOneAndSeesNoHostProcess() {
        let b = TestBundle(args: ["sh", "-c", "echo pid=$$; ls /proc | grep -c '^[0-9]'"])
        let r = b.run()
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n")
        #expect(lines.first == "pid=1")
        // Only sh itself (and the short-lived ls/grep) are visible: never the host's processes.
        #expect((Int(lines.last ?? "") ?? 99) <= 3, "\(r.stdout)")
    }

    @Test func networkNamespaceHasOnlyLoopbackAndItIsUp() {
        let b = TestBundle(args: ["sh", "-c", "ls /sys/class/net; cat /sys/class/net/lo/operstate; ip -o link | grep -c UP"])
        let r = b.run()
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first == "lo")
        #expect(lines.count == 3, "only lo expected: \(r.stdout)")
        #expect(lines.last == "1", "lo should be UP: \(r.stdout)")
    }

    @Test func hostnameUtsAndIpcAreTheContainers() throws {
        let b = TestBundle(args: ["sh", "-c", "hostname; for n in uts ipc cgroup mnt; do readlink /proc/self/ns/$n; done"]) {
            $0.hostname = "box-one"
        }
        let r = b.run()
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n").map(String.init)
        try #require(lines.count == 5, "\(r.stdout)")
        #expect(lines.first == "box-one")
        for (i, ns) in ["uts", "ipc", "cgroup", "mnt"].enumerated() {
            let host = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/ns/\(ns)")
            #expect(lines[i + 1] != host, "\(ns) namespace is the host's")
        }
    }

    @Test func devHoldsOnlyTheStandardDevices() {
        let b = TestBundle(args: ["sh", "-c", "ls /dev | tr '\\n' ' '; echo; ls -l /dev/null | cut -c1"])
        let r = b.run()
        #expect(r.status == 0, "\(r.stderr)")
        let names = Set(r.stdout.split(separator: "\n").first?.split(separator: " ").map(String.init) ?? [])
        #expect(names == ["null", "zero", "full", "random", "urandom", "tty", "pts", "shm", "mqueue",
                          "fd", "stdin", "stdout", "stderr", "ptmx"], "\(names)")
        #expect(r.stdout.split(separator: "\n").last == "c")
    }

    @Test func mountsAreTheContainersAndTheHostIsGone() {
        let b = TestBundle(args: ["cat", "/proc/self/mountinfo"])
        let r = b.run()
        #expect(r.status == 0, "\(r.stderr)")
        // "<mount point> <fstype>": the mount point is field 5, the type follows the " - ".
        let mounts = Set(r.stdout.split(separator: "\n").map { line -> String in
            let fields = line.split(separator: " ")
            let dash = fields.firstIndex(of: "-") ?? fields.endIndex
            return "\(fields[4]) \(dash + 1 < fields.count ? fields[dash + 1] : "")"
        })
        for m in ["/ ", "/proc proc", "/dev tmpfs", "/dev/pts devpts", "/dev/shm tmpfs", "/dev/mqueue mqueue",
                  "/sys sysfs", "/sys/fs/cgroup cgroup2", "/tmp tmpfs"] {
            #expect(mounts.contains { $0.hasPrefix(m) }, "missing \(m) in \(mounts)")
        }
        // pivot_root + detach: nothing of the host's mount table is left inside.
        #expect(!mounts.contains { $0.hasPrefix("/work") || $0.hasPrefix("/sys/fs/cgroup/memory") }, "\(mounts)")
    }

    @Test func sysAndTheRootfsAreReadOnly() {
        let b = TestBundle(args: ["sh", "-c", "touch /sys/x 2>&1; touch /etc/x 2>&1; touch /tmp/ok && echo tmp-ok"])
        let r = b.run()
        // Both /sys and the image's /etc refuse writes; the tmpfs /tmp takes them.
        #expect(r.stdout.components(separatedBy: "Read-only file system").count == 3, "\(r.stdout)")
        #expect(r.stdout.contains("tmp-ok"))
    }

    @Test func maskedPathsShowNothing() {
        // /proc/kcore only exists on kernels built with it: when present it must read empty too.
        let b = TestBundle(args: ["sh", "-c", "cat /proc/kcore 2>/dev/null | wc -c; wc -c < /proc/keys; wc -c < /proc/timer_list; ls /sys/firmware | wc -l; ls /proc/acpi | wc -l"])
        let r = b.run()
        #expect(r.status == 0, "\(r.stderr)")
        let counts = r.stdout.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        #expect(counts == ["0", "0", "0", "0", "0"], "\(r.stdout)")
        // On the host these are not empty: the masking is what empties them.
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: "/sys/firmware"))?.count ?? 0) > 0)
    }

    @Test func readOnlyPathsRefuseWrites() {
        let b = TestBundle(args: ["sh", "-c", "echo 1 > /proc/sys/kernel/domainname 2>&1 || echo refused; echo c > /proc/sysrq-trigger || echo refused"])
        let r = b.run()
        #expect(r.stdout.components(separatedBy: "refused").count == 3, "\(r.stdout) \(r.stderr)")
    }

    @Test func processSettingsAreApplied() {
        let b = TestBundle(args: ["sh", "-c", "id -u; id -g; id -G; pwd; echo $GREETING; ulimit -n"]) {
            $0.process?.user = OCISpec.User(uid: 1000, gid: 1001, additionalGids: [1002, 1003])
            $0.process?.cwd = "/tmp"
            $0.process?.env.append("GREETING=hello")
            $0.process?.rlimits = [OCISpec.Rlimit(type: "RLIMIT_NOFILE", soft: 321, hard: 456)]
        }
        let r = b.run()
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.split(separator: "\n").map(String.init) == ["1000", "1001", "1001 1002 1003", "/tmp", "hello", "321"])
    }

    @Test func sysctlsAreWrittenInTheContainersNamespaceOnly() throws {
        let path = "/proc/sys/net/ipv4/ip_forward"
        let host = try String(contentsOfFile: path, encoding: .utf8)
        let value = host.hasPrefix("1") ? "0" : "1"
        let r = TestBundle(args: ["cat", path]) { $0.linux?.sysctl = ["net.ipv4.ip_forward": value] }.run()
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout == value + "\n")
        #expect(try String(contentsOfFile: path, encoding: .utf8) == host, "the host's value changed")
    }

    @Test func theUmaskIsApplied() {
        let r = TestBundle(args: ["sh", "-c", "touch /tmp/f && stat -c %a /tmp/f"]) { $0.process?.user.umask = 0o077 }.run()
        #expect(r.stdout == "600\n", "\(r.stdout) \(r.stderr)")
    }

    @Test func anRlimitAboveTheHostHardLimitIsAClearError() {
        var rl = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &rl)
        let b = TestBundle(args: ["true"]) {
            $0.process?.rlimits = [OCISpec.Rlimit(type: "RLIMIT_NOFILE", soft: 1024, hard: UInt64(rl.rlim_max) + 1)]
        }
        let r = b.run()
        #expect(r.status != 0)
        #expect(r.stderr.contains("RLIMIT_NOFILE hard limit \(UInt64(rl.rlim_max) + 1) is above this host's hard limit"), "\(r.stderr)")
    }

    @Test func exitStatusIsPassedOn() {
        #expect(TestBundle(args: ["sh", "-c", "exit 7"]).run().status == 7)
        // A child killed by a signal: the shell's own 128+N convention passes through unchanged,
        // and no OOM is claimed for an exit code of 137.
        let r = TestBundle(args: ["sh", "-c", "sh -c 'kill -KILL $$'; exit $?"]).run()
        #expect(r.status == 137)
        #expect(!r.stderr.contains("OOM"))
    }

    @Test func aMissingProgramIsReportedAsASentence() {
        let r = TestBundle(args: ["/no/such/program"]).run()
        #expect(r.status != 0)
        #expect(r.stderr.contains("executing /no/such/program failed: No such file or directory"), "\(r.stderr)")
    }

    @Test func aBadMountNamesTheMountAndTheErrno() {
        let b = TestBundle(args: ["true"]) {
            $0.mounts.append(OCISpec.Mount(destination: "/mnt/x", type: "nosuchfs", source: "none"))
        }
        let r = b.run()
        #expect(r.status != 0)
        let image = URL(fileURLWithPath: TestSupport.busybox).resolvingSymlinksInPath().path
        #expect(r.stderr.contains("mount of nosuchfs on \(image)/mnt/x failed: No such device"), "\(r.stderr)")
    }

    @Test func onlyStdioReachesTheContainer() {
        // ls opens /proc/self/fd itself as fd 3; anything beyond that would be a leak.
        let r = TestBundle(args: ["ls", "/proc/self/fd"]).run()
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.split(separator: "\n").map(String.init) == ["0", "1", "2", "3"], "\(r.stdout)")
    }
}
