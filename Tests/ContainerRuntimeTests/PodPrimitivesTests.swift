import CShims
import ContainerRuntime
import Foundation
import Testing

/// The runtime pieces pods are built from: the sandbox, per-instance overlays, captured stdio and
/// exec processes whose whole tree can be killed.
@Suite(.enabled(if: TestSupport.isRoot, TestSupport.rootReason), .serialized)
struct PodPrimitivesTests {
    /// Reads a pipe to EOF.
    static func drain(_ fd: Int32) -> String { String(decoding: TestSupport.readAll(fd), as: UTF8.self) }

    /// Runs `args` to completion through the library with stdout and stderr on one pipe.
    static func runCaptured(_ b: TestBundle, options: LaunchOptions = LaunchOptions(dieWithParent: false)) throws -> (ContainerRuntime.ExitStatus, String) {
        var fds: [Int32] = [-1, -1]
        #expect(pipe(&fds) == 0)
        var opts = options
        opts.stdio = Stdio(input: -1, output: fds[1], error: fds[1])
        let c = try Container.start(id: TestSupport.uniqueID(), spec: b.spec, bundle: b.dir, options: opts)
        close(fds[1])
        let out = drain(fds[0])
        close(fds[0])
        let status = c.wait()
        try c.destroy()
        return (status, out)
    }

    static func join(_ spec: inout OCISpec, sandbox: PodSandbox) {
        guard var linux = spec.linux else { return }
        let paths = ["network": "net", "uts": "uts", "ipc": "ipc"]
        linux.namespaces = linux.namespaces.map { ns in
            paths[ns.type].map { OCISpec.Namespace(type: ns.type, path: sandbox.namespacePath($0)) } ?? ns
        }
        spec.linux = linux
        spec.hostname = nil
    }

    /// A supervisor of many pods holds more fds than a container's RLIMIT_NOFILE allows: the
    /// lowered limit must not stop the child's own last opens (regression: EMFILE at pod 170).
    @Test func aRuntimeHoldingMoreFDsThanTheContainersLimitStillStartsIt() throws {
        let held = (0..<1200).map { _ in open("/dev/null", O_RDONLY | O_CLOEXEC) }
        defer { held.forEach { close($0) } }
        #expect(held.allSatisfy { $0 >= 0 })
        let b = TestBundle(args: ["sh", "-c", "ulimit -n; pwd"]) {
            $0.process?.rlimits = [OCISpec.Rlimit(type: "RLIMIT_NOFILE", soft: 1024, hard: 1024)]
            $0.process?.cwd = "/tmp"
        }
        let (status, out) = try Self.runCaptured(b)
        #expect(status.code == 0, "\(out)")
        #expect(out == "1024\n/tmp\n")
    }

    @Test func containersOfASandboxShareItsNetworkAcrossInstances() throws {
        let sandbox = try PodSandbox(hostname: "pod-a", dieWithParent: false)
        let net = try FileManager.default.destinationOfSymbolicLink(atPath: sandbox.namespacePath("net"))
        #expect(net != (try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/ns/net")))
        for _ in 0..<2 {   // two instances, as after a restart
            let b = TestBundle(args: ["sh", "-c", "hostname; readlink /proc/self/ns/net; cat /sys/class/net/lo/operstate"]) {
                Self.join(&$0, sandbox: sandbox)
            }
            let (status, out) = try Self.runCaptured(b)
            #expect(status.code == 0, "\(out)")
            #expect(out.split(separator: "\n").map(String.init) == ["pod-a", net, "unknown"], "\(out)")
        }
        #expect(sandbox.isAlive)
        sandbox.stop()
        #expect(!sandbox.isAlive)
    }

    @Test func anOverlayKeepsTheImageUntouchedAndEachInstanceStartsClean() throws {
        let dir = TestSupport.tempDir("swiftlet-overlay")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for instance in 0..<2 {
            let layer = "\(dir)/\(instance)"
            for d in ["upper", "work"] { try FileManager.default.createDirectory(atPath: "\(layer)/\(d)", withIntermediateDirectories: true) }
            let b = TestBundle(args: ["sh", "-c", "cat /etc/marker 2>/dev/null || echo absent; echo written > /etc/marker"]) {
                $0.root?.readonly = false
            }
            let (status, out) = try Self.runCaptured(b, options: LaunchOptions(dieWithParent: false, overlay: RootfsOverlay(upper: layer + "/upper", work: layer + "/work")))
            #expect(status.code == 0, "\(out)")
            #expect(out == "absent\n", "instance \(instance) must start from the clean image")
            #expect(FileManager.default.fileExists(atPath: layer + "/upper/etc/marker"))
        }
        #expect(!FileManager.default.fileExists(atPath: TestSupport.busybox + "/etc/marker"), "the image was written")
    }

    @Test func stdoutAndStderrCanBeCaptured() throws {
        let (status, out) = try Self.runCaptured(TestBundle(args: ["sh", "-c", "echo out; echo err >&2"]))
        #expect(status.code == 0)
        #expect(out == "out\nerr\n")
    }

    @Test func killingAnExecInItsOwnPidNamespaceKillsItsWholeTree() throws {
        let run = try BackgroundRun(TestBundle(args: LifecycleTests.sleeper))
        let stateJSON = try #require(JSONSerialization.jsonObject(with: Data(run.bundle.cli(["state", run.id]).stdout.utf8)) as? [String: Any])
        let pid = try #require((stateJSON["pid"] as? NSNumber)?.int32Value)
        let startTime = try #require((stateJSON["startTime"] as? NSNumber)?.uint64Value)
        let v2 = try #require((stateJSON["cgroup"] as? [String: Any])?["v2"] as? String)
        let location = ContainerLocation(pid: pid, startTime: startTime, cgroup: .init(v2: v2, v1: [:]))
        let spec = DefaultSpec.make(args: ["sh", "-c", "sleep 100 & sleep 100 & wait"])
        let p = try Exec.start(location, process: try #require(spec.process), seccomp: nil, ownPIDNamespace: true, dieWithParent: false)
        usleep(200_000)
        let before = try String(contentsOfFile: v2 + "/cgroup.procs", encoding: .utf8).split(separator: "\n").count
        p.signal(SIGKILL)
        _ = p.wait()
        usleep(100_000)
        let after = try String(contentsOfFile: v2 + "/cgroup.procs", encoding: .utf8).split(separator: "\n").count
        #expect(before - after >= 3, "the exec'd shell and both sleeps are gone (before \(before), after \(after))")
        _ = run.bundle.cli(["kill", run.id, "KILL"])
        _ = run.finish()
    }
}
