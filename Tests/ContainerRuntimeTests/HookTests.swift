import ContainerRuntime
import Foundation
import Testing

/// OCI hooks run by HookRunner: what a hook gets (state on stdin, argv, exactly its env, no
/// other fds), how failures read, timeouts, and hooks run inside a real container.
@Suite(.serialized) struct HookTests {
    /// A state document as `create` passes it (runtime-spec runtime.md "State").
    static func state(id: String = "hooked", pid: Int32 = 4242, status: String = "creating",
                      bundle: String = "/bundles/hooked", annotations: JSONValue = [:]) -> JSONValue {
        ["ociVersion": "1.2.0", "id": .string(id), "status": .string(status), "pid": .integer(pid),
         "bundle": .string(bundle), "annotations": annotations]
    }

    /// A temporary directory holding an executable /bin/sh script `name` with `body`.
    final class ScriptDir {
        let dir = TestSupport.tempDir("swiftlet-hook")
        func script(_ name: String, _ body: String) -> String {
            let path = dir + "/" + name
            FileManager.default.createFile(atPath: path, contents: Data(("#!/bin/sh\n" + body + "\n").utf8),
                                           attributes: [.posixPermissions: 0o755])
            return path
        }
        func read(_ name: String) -> String { (try? String(contentsOfFile: dir + "/" + name, encoding: .utf8)) ?? "" }
        deinit { try? FileManager.default.removeItem(atPath: dir) }
    }

    static func failures(_ body: () throws(RuntimeError) -> Void) -> String? {
        do throws(RuntimeError) {
            try body()
            return nil
        } catch {
            return error.description
        }
    }

    /// True once `pid` is gone or a zombie (its parent, not us, reaps it).
    static func isGone(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return true }
        return stat[stat.index(close, offsetBy: 2)] == "Z"
    }

    @Test func hookGetsStateArgvAndExactlyItsEnv() throws {
        let d = ScriptDir()
        // A binary, not a script: the kernel replaces a script's argv[0] with the interpreter's.
        let save = #"cat > "$D/stdin"; env > "$D/env"; tr '\000' '\n' < /proc/$$/cmdline > "$D/argv""#
        try HookRunner.run([OCISpec.Hook(path: "/bin/sh", args: ["first", "-c", save, "two words", ""],
                                         env: ["A=1", "D=\(d.dir)"])],
                           phase: "prestart", state: Self.state())
        let state = try JSONValue.parse(d.read("stdin"))
        #expect(state.objectValue?["id"] == "hooked")
        #expect(state.objectValue?["pid"] == .integer(4242))
        #expect(state.objectValue?["status"] == "creating")
        #expect(state.objectValue?["bundle"] == "/bundles/hooked")
        // sh adds PWD (and nothing else we did not give it).
        let env = Set(d.read("env").split(separator: "\n").map(String.init)).subtracting(["PWD=" + FileManager.default.currentDirectoryPath])
        #expect(env == ["A=1", "D=\(d.dir)"])
        // argv[0] is args[0], not the path.
        #expect(d.read("argv") == "first\n-c\n\(save)\ntwo words\n\n")
    }

    @Test func emptyArgsMeanThePathAsArgv0() throws {
        let d = ScriptDir()
        let hook = d.script("argv0", #"echo "$0" > "\#(d.dir)/argv0""#)
        try HookRunner.run([OCISpec.Hook(path: hook)], phase: "poststop", state: Self.state())
        #expect(d.read("argv0") == hook + "\n")
    }

    @Test func hooksRunInOrderAndStopAtTheFirstFailure() {
        let d = ScriptDir()
        let log = d.dir + "/log"
        let hooks = [
            OCISpec.Hook(path: d.script("one", "echo one >> \(log)")),
            OCISpec.Hook(path: d.script("two", "echo two >> \(log); echo 'some output' ; echo 'bad config: x' >&2; exit 2")),
            OCISpec.Hook(path: d.script("three", "echo three >> \(log)")),
        ]
        let message = Self.failures { () throws(RuntimeError) in
            try HookRunner.run(hooks, phase: "createRuntime", state: Self.state())
        }
        #expect(message == "hooks.createRuntime[1] (\(d.dir)/two): exited with status 2: bad config: x")
        #expect(d.read("log") == "one\ntwo\n")
    }

    @Test func stdoutExplainsWhenStderrIsEmptyAndSignalsAreNamed() {
        let d = ScriptDir()
        let quiet = Self.failures { () throws(RuntimeError) in
            try HookRunner.run([OCISpec.Hook(path: d.script("out", "echo only stdout; exit 1"))], phase: "prestart", state: Self.state())
        }
        #expect(quiet == "hooks.prestart[0] (\(d.dir)/out): exited with status 1: only stdout")
        let killed = Self.failures { () throws(RuntimeError) in
            try HookRunner.run([OCISpec.Hook(path: d.script("kill", "kill -9 $$"))], phase: "prestart", state: Self.state())
        }
        #expect(killed == "hooks.prestart[0] (\(d.dir)/kill): killed by signal 9")
    }

    @Test func longOutputIsCapped() {
        let d = ScriptDir()
        let hook = d.script("chatty", "i=0; while [ $i -lt 2000 ]; do echo 0123456789 >&2; i=$((i+1)); done; exit 1")
        let message = Self.failures { () throws(RuntimeError) in
            try HookRunner.run([OCISpec.Hook(path: hook)], phase: "prestart", state: Self.state())
        } ?? ""
        #expect(message.utf8.count < 4096 + 200)
        #expect(message.hasSuffix("more bytes]"))
    }

    @Test func timeoutKillsTheHookAndWhatItStarted() throws {
        let d = ScriptDir()
        let hook = d.script("slow", "echo $$ > \(d.dir)/pid; sleep 30 & echo $! > \(d.dir)/child; wait")
        let start = Date()
        let message = Self.failures { () throws(RuntimeError) in
            try HookRunner.run([OCISpec.Hook(path: hook, timeout: 1)], phase: "createRuntime", state: Self.state())
        }
        let elapsed = Date().timeIntervalSince(start)
        #expect(message == "hooks.createRuntime[0] (\(hook)): timed out after 1 s")
        #expect(elapsed < 2, "took \(elapsed) s")
        for name in ["pid", "child"] {
            let pid = try #require(Int32(d.read(name).trimmingCharacters(in: .whitespacesAndNewlines)))
            var gone = false
            for _ in 0..<50 where !gone {
                gone = Self.isGone(pid)
                if !gone { usleep(20_000) }
            }
            #expect(gone, "\(name) \(pid) is still running")
        }
    }

    @Test func missingExecutableIsNamed() {
        let message = Self.failures { () throws(RuntimeError) in
            try HookRunner.run([OCISpec.Hook(path: "/nonexistent/swiftlet-hook")], phase: "prestart", state: Self.state())
        }
        #expect(message == "hooks.prestart[0] (/nonexistent/swiftlet-hook): executing it failed: No such file or directory")
    }

    @Test func collectingRunsEveryHook() {
        let d = ScriptDir()
        let hooks = [
            OCISpec.Hook(path: d.script("a", "exit 3")),
            OCISpec.Hook(path: d.script("b", "touch \(d.dir)/b-ran")),
            OCISpec.Hook(path: "/nonexistent/hook"),
        ]
        let failures = HookRunner.runCollectingFailures(hooks, phase: "poststop", state: Self.state(status: "stopped"))
        #expect(failures.map(\.index) == [0, 2])
        #expect(failures.first?.reason == .exited(code: 3, output: ""))
        #expect(FileManager.default.fileExists(atPath: d.dir + "/b-ran"))
    }

    /// A hook that never reads stdin, or closes it at once, must not block or kill the runtime
    /// (SIGPIPE), even when the state is larger than a pipe can ever hold.
    @Test(arguments: [100_000, 3_000_000])
    func hooksThatIgnoreStdinDoNotStallUs(size: Int) throws {
        let d = ScriptDir()
        let big = Self.state(annotations: ["big": .string(String(repeating: "x", count: size))])
        try HookRunner.run([OCISpec.Hook(path: d.script("ignore", "exit 0"))], phase: "prestart", state: big)
        try HookRunner.run([OCISpec.Hook(path: d.script("closer", "exec 0<&-; sleep 0.2"))], phase: "prestart", state: big)
        // One that reads it all gets all of it.
        try HookRunner.run([OCISpec.Hook(path: d.script("reader", "wc -c > \(d.dir)/count"))], phase: "prestart", state: big)
        #expect(Int(d.read("count").trimmingCharacters(in: .whitespacesAndNewlines)) == big.serialized().count)
    }

    @Test func onlyStdioIsInherited() throws {
        let d = ScriptDir()
        let leak = open("/dev/null", O_RDONLY)   // deliberately without O_CLOEXEC
        defer { close(leak) }
        try HookRunner.run([OCISpec.Hook(path: "/bin/sh", args: ["sh", "-c", "ls /proc/self/fd > \(d.dir)/fds"])],
                           phase: "prestart", state: Self.state())
        // ls's own directory fd is 3.
        #expect(d.read("fds") == "0\n1\n2\n3\n")
    }
}

/// Hooks inside a running container's namespaces (createContainer, startContainer).
@Suite(.enabled(if: TestSupport.isRoot, TestSupport.rootReason), .serialized)
struct ContainerHookTests {
    /// Runs `body` against a running busybox container named by hostname "hook-uts", then kills it.
    static func withContainer(_ body: (Container, ContainerLocation) throws -> Void) throws {
        let b = TestBundle(args: LifecycleTests.sleeper) { $0.hostname = "hook-uts" }
        let c = try Container.start(id: TestSupport.uniqueID("hook"), spec: b.spec, bundle: b.dir,
                                    options: LaunchOptions(dieWithParent: false))
        defer {
            try? c.signal(SIGKILL)
            _ = c.wait()
            try? c.destroy()
        }
        try body(c, ContainerLocation(pid: c.pid, startTime: c.startTime, cgroup: c.cgroup.paths))
    }

    @Test func startContainerHookRunsInTheContainer() throws {
        try Self.withContainer { c, location in
            let marker = "/tmp/hook-\(UUID().uuidString.prefix(8))"
            let hook = OCISpec.Hook(path: "/bin/sh",
                                    args: ["sh", "-c", "hostname > \(marker); cat > \(marker).state; id -u >> \(marker)"],
                                    env: ["PATH=/bin"])
            try HookRunner.runInContainer([hook], phase: "startContainer", state: HookTests.state(id: "in-c", pid: c.pid),
                                          location: location, resolveInContainer: true)
            // The container's /tmp (a tmpfs in its mount namespace), seen through its root.
            let inside = "/proc/\(c.pid)/root" + marker
            #expect((try? String(contentsOfFile: inside, encoding: .utf8)) == "hook-uts\n0\n")
            let state = try JSONValue.parse(try String(contentsOfFile: inside + ".state", encoding: .utf8))
            #expect(state.objectValue?["id"] == "in-c")
            #expect(state.objectValue?["pid"] == .integer(c.pid))
            #expect(!FileManager.default.fileExists(atPath: marker), "the hook wrote to the host's /tmp")
        }
    }

    @Test func failuresInsideTheContainerAreNamed() throws {
        try Self.withContainer { _, location in
            let failing = OCISpec.Hook(path: "/bin/sh", args: ["sh", "-c", "echo nope >&2; exit 3"])
            let message = HookTests.failures { () throws(RuntimeError) in
                try HookRunner.runInContainer([OCISpec.Hook(path: "/bin/true"), failing], phase: "startContainer",
                                              state: HookTests.state(), location: location, resolveInContainer: true)
            }
            #expect(message == "hooks.startContainer[1] (/bin/sh): exited with status 3: nope")
            // Resolved in the container: a host-only path is not found there.
            let hostOnly = TestSupport.runtime
            let missing = HookTests.failures { () throws(RuntimeError) in
                try HookRunner.runInContainer([OCISpec.Hook(path: hostOnly)], phase: "startContainer",
                                              state: HookTests.state(), location: location, resolveInContainer: true)
            }
            #expect(missing == "hooks.startContainer[0] (\(hostOnly)): executing it failed: No such file or directory")
            let slow = HookTests.failures { () throws(RuntimeError) in
                try HookRunner.runInContainer([OCISpec.Hook(path: "/bin/sleep", args: ["sleep", "30"], timeout: 1)],
                                              phase: "startContainer", state: HookTests.state(), location: location,
                                              resolveInContainer: true)
            }
            #expect(slow == "hooks.startContainer[0] (/bin/sleep): timed out after 1 s")
        }
    }

    /// createContainer: the path is the runtime's (a host binary absent from the image), the
    /// process runs in the container's namespaces.
    @Test func createContainerHookResolvesOnTheHost() throws {
        try Self.withContainer { c, location in
            let marker = "/tmp/hook-\(UUID().uuidString.prefix(8))"
            // A static binary at a path only the host has (a copy of the image's busybox).
            let d = HookTests.ScriptDir()
            let hostOnly = d.dir + "/bb"
            try FileManager.default.copyItem(atPath: TestSupport.busybox + "/bin/busybox", toPath: hostOnly)
            #expect(!FileManager.default.fileExists(atPath: "/proc/\(c.pid)/root" + hostOnly))
            let hook = OCISpec.Hook(path: hostOnly, args: ["sh", "-c", "hostname > \(marker)"])
            try HookRunner.runInContainer([hook], phase: "createContainer", state: HookTests.state(),
                                          location: location, resolveInContainer: false)
            #expect((try? String(contentsOfFile: "/proc/\(c.pid)/root" + marker, encoding: .utf8)) == "hook-uts\n")

            // A dynamic binary: its loader is not in the busybox image.
            let dynamic = HookTests.failures { () throws(RuntimeError) in
                try HookRunner.runInContainer([OCISpec.Hook(path: "/usr/bin/dash")], phase: "createContainer",
                                              state: HookTests.state(), location: location, resolveInContainer: false)
            }
            #expect(dynamic == "hooks.createContainer[0] (/usr/bin/dash): executing it failed: No such file or directory "
                + "inside the container (a dynamically linked binary's loader is looked up there; use a static binary)")
            let script = d.script("s", "true")
            let message = HookTests.failures { () throws(RuntimeError) in
                try HookRunner.runInContainer([OCISpec.Hook(path: script)], phase: "createContainer",
                                              state: HookTests.state(), location: location, resolveInContainer: false)
            }
            #expect(message == "hooks.createContainer[0] (\(script)): executing it failed: it is a script; from the "
                + "runtime's namespace, swiftlet-runtime runs only binaries inside the container")
            let missing = HookTests.failures { () throws(RuntimeError) in
                try HookRunner.runInContainer([OCISpec.Hook(path: "/nonexistent/hook")], phase: "createContainer",
                                              state: HookTests.state(), location: location, resolveInContainer: false)
            }
            #expect(missing == "hooks.createContainer[0] (/nonexistent/hook): executing it failed: No such file or directory")
        }
    }
}
