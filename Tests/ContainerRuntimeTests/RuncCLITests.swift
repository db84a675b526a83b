import ContainerRuntime
import Foundation
import Testing

/// The rest of runc's command line as conmon and containerd's shim use it, through the binary:
/// the console socket, exec (foreground, detached, --process, --preserve-fds), pause, resume,
/// ps, update, hooks at their lifecycle points, seccomp without no_new_privs, and joining
/// another container's pid namespace by path. Every container made here is deleted with
/// `delete --force` on the way out.
@Suite(.enabled(if: TestSupport.isRoot, TestSupport.rootReason), .serialized)
struct RuncCLITests {
    // MARK: Helpers

    /// A bundle with a host directory bound read-write at /mnt, where programs leave their output.
    func bundle(_ args: [String], _ modify: (inout OCISpec) -> Void = { _ in }) -> (TestBundle, out: String) {
        let bundle = TestBundle(args: args)
        let out = bundle.dir + "/out"
        try? FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        bundle.spec.mounts.append(OCISpec.Mount(destination: "/mnt", type: "bind", source: out, options: ["rbind", "rw"]))
        modify(&bundle.spec)
        bundle.write()
        return (bundle, out)
    }

    /// `create` then `start`; returns the init's host pid.
    func launch(_ runc: RuncClient, _ id: String) throws -> Int32 {
        let pidFile = runc.bundle.dir + "/\(id).pid"
        let created = runc.call(["create", "--bundle", runc.bundle.dir, "--pid-file", pidFile, id])
        try #require(created.status == 0, "create: \(created.stderr)")
        let started = runc.call(["start", id])
        try #require(started.status == 0, "start: \(started.stderr)")
        return try #require(Int32(String(contentsOfFile: pidFile, encoding: .utf8)), "pid file of \(id)")
    }

    func read(_ path: String) -> String { (try? String(contentsOfFile: path, encoding: .utf8)) ?? "" }

    func nsLink(_ pid: Int32, _ type: String) -> String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/ns/\(type)")) ?? "?"
    }

    /// The container's cgroup directories still on disk (v2 and every v1 hierarchy).
    func cgroupLeftovers(_ id: String) -> [String] {
        let hierarchies = (try? FileManager.default.contentsOfDirectory(atPath: "/sys/fs/cgroup")) ?? []
        return (["/sys/fs/cgroup"] + hierarchies.map { "/sys/fs/cgroup/" + $0 })
            .map { $0 + "/swiftlet/" + id }
            .filter { FileManager.default.fileExists(atPath: $0) }
    }

    /// Host pids whose cgroup names the container id.
    func processesInCgroups(of id: String) -> [String] {
        let pids = ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).filter { $0.allSatisfy(\.isNumber) }
        return pids.filter { read("/proc/\($0)/cgroup").contains("/" + id) }
    }

    func stateCgroup(_ runc: RuncClient, _ id: String) -> (v2: String?, v1: [String: String]) {
        let cgroup = runc.state(id)?["cgroup"] as? [String: Any]
        return (cgroup?["v2"] as? String, (cgroup?["v1"] as? [String: String]) ?? [:])
    }

    // MARK: 1. Console socket

    @Test func consoleSocketGetsThePtyMasterAfterCreateReturned() throws {
        let bundle = TestBundle(args: ["sh", "-c", "tty; echo ready"]) { $0.process?.terminal = true }
        let runc = RuncClient(bundle)
        let id = TestSupport.uniqueID()
        let socketPath = bundle.dir + "/console.sock"
        let listener = try listenUnix(socketPath)
        defer { close(listener) }
        defer { runc.call(["delete", "--force", id]) }

        // The shim accepts only once create has returned: the connection waits in the backlog.
        let created = runc.call(["create", "--bundle", bundle.dir, "--console-socket", socketPath, id])
        try #require(created.status == 0, "create with --console-socket: \(created.stderr)")
        #expect(created.stderr.isEmpty, "\(created.stderr)")
        let connection = try acceptWithin(listener, seconds: 5)
        defer { close(connection) }
        let fds = try receiveFDs(connection)
        defer { fds.forEach { close($0) } }
        try #require(fds.count == 1, "one message with exactly one SCM_RIGHTS fd, got \(fds)")
        let master = fds[0]
        let target = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\(master)")) ?? ""
        #expect(target.hasSuffix("/ptmx"), "the fd is a pty master: \(target)")

        #expect(runc.call(["start", id]).status == 0)
        let output = readUntil(master, contains: "ready", seconds: 5)
        #expect(output.contains("/dev/pts/"), "tty names the pty slave: \(output.debugDescription)")
        #expect(output.contains("ready"), "\(output.debugDescription)")
        #expect(runc.waitForStatus(id, "stopped"))
    }

    @Test func terminalAndConsoleSocketMustAgree() throws {
        let tty = TestBundle(args: ["sh"]) { $0.process?.terminal = true }
        let runc = RuncClient(tty)
        let id = TestSupport.uniqueID()
        defer { runc.call(["delete", "--force", id]) }
        let missing = runc.call(["create", "--bundle", tty.dir, id])
        #expect(missing.status != 0, "terminal true needs --console-socket")
        #expect(missing.stderr.contains("process.terminal is true") && missing.stderr.contains("--console-socket"),
                "a clear message: \(missing.stderr)")
        #expect(!FileManager.default.fileExists(atPath: tty.stateRoot + "/" + id), "no state left")
        #expect(runc.call(["state", id]).status != 0)
        #expect(cgroupLeftovers(id).isEmpty, "no cgroup: \(cgroupLeftovers(id))")

        let plain = TestBundle(args: ["sh"])
        let runc2 = RuncClient(plain)
        let socketPath = plain.dir + "/console.sock"
        let listener = try listenUnix(socketPath)
        defer { close(listener) }
        defer { runc2.call(["delete", "--force", id]) }
        let extra = runc2.call(["create", "--bundle", plain.dir, "--console-socket", socketPath, id])
        #expect(extra.status != 0, "--console-socket without a terminal is refused")
        #expect(extra.stderr.contains("--console-socket") && extra.stderr.contains("process.terminal is false"), "\(extra.stderr)")
        #expect(!FileManager.default.fileExists(atPath: plain.stateRoot + "/" + id), "no state left")
    }

    // MARK: 2. exec

    @Test func execForegroundDetachedProcessFileAndStopped() throws {
        let (bundle, _) = bundle(["sleep", "1000"])
        let runc = RuncClient(bundle)
        let id = TestSupport.uniqueID()
        defer { runc.call(["delete", "--force", id]) }
        let initPID = try launch(runc, id)

        let seven = runc.call(["exec", id, "sh", "-c", "exit 7"])
        #expect(seven.status == 7, "the process's exit code is passed on: \(seven.status) \(seven.stderr)")

        let pidFile = bundle.dir + "/exec.pid"
        let detached = runc.call(["exec", "--detach", "--pid-file", pidFile, id, "sleep", "100"])
        #expect(detached.status == 0, "exec --detach: \(detached.stderr)")
        let pidText = read(pidFile)
        #expect(!pidText.isEmpty && pidText.allSatisfy(\.isNumber), "bare pid: \(pidText.debugDescription)")
        let execPID = try #require(Int32(pidText))
        #expect(processExists(execPID), "the detached process runs on after exec returned")
        #expect(nsLink(execPID, "pid") == nsLink(initPID, "pid"), "same pid namespace as the init")
        #expect(nsLink(execPID, "mnt") == nsLink(initPID, "mnt"), "same mount namespace as the init")
        #expect(read("/proc/\(execPID)/cgroup") == read("/proc/\(initPID)/cgroup"), "in the container's cgroup")
        #expect(read("/proc/\(execPID)/cmdline") == "sleep\u{0}100\u{0}")

        let processFile = bundle.dir + "/proc.json"
        try #"""
        {"args": ["sh", "-c", "id -u; id -g; echo $GREETING; pwd"],
         "env": ["PATH=/usr/bin:/bin", "GREETING=hello from proc.json"],
         "cwd": "/tmp", "user": {"uid": 65534, "gid": 65534}}
        """#.write(toFile: processFile, atomically: true, encoding: .utf8)
        let fromFile = runc.call(["exec", "--process", processFile, id])
        #expect(fromFile.status == 0, "exec --process: \(fromFile.stderr)")
        #expect(fromFile.stdout == "65534\n65534\nhello from proc.json\n/tmp\n", "\(fromFile.stdout.debugDescription)")

        let passed = bundle.dir + "/passed.txt"
        try "through fd 3\n".write(toFile: passed, atomically: true, encoding: .utf8)
        let preserved = runc.call(["exec", "--preserve-fds", "1", id, "sh", "-c", "cat <&3"], extraFiles: [passed])
        #expect(preserved.status == 0, "exec --preserve-fds 1: \(preserved.stderr)")
        #expect(preserved.stdout == "through fd 3\n", "\(preserved.stdout.debugDescription)")
        let notPassed = runc.call(["exec", id, "sh", "-c", "cat <&3"], extraFiles: [passed])
        #expect(notPassed.status != 0, "without --preserve-fds fd 3 is not the process's: \(notPassed.stdout)")

        #expect(runc.call(["kill", id, "KILL"]).status == 0)
        // The init ends once the detached exec, a member of its pid namespace, is reaped by
        // whoever adopted it (here the host's pid 1, which may take a while).
        #expect(runc.waitForStatus(id, "stopped", seconds: 15))
        let stopped = runc.call(["exec", id, "true"])
        #expect(stopped.status != 0 && stopped.stderr.contains("cannot exec in a stopped container"), "\(stopped.stderr)")
        #expect(eventually { !processExists(execPID) }, "the detached exec died with the container")
    }

    // MARK: 3. pause, resume, ps, update

    @Test func pauseResumePsAndUpdate() throws {
        let script = "i=0; while :; do i=$((i+1)); echo $i > /mnt/tick; usleep 20000; done"
        let (bundle, out) = bundle(["sh", "-c", script]) {
            $0.linux?.resources?.pids = OCISpec.Pids(limit: 100)
        }
        let runc = RuncClient(bundle)
        let id = TestSupport.uniqueID()
        defer { runc.call(["delete", "--force", id]) }
        let pid = try launch(runc, id)
        let tick = out + "/tick"
        #expect(eventually { !read(tick).isEmpty }, "the counter runs")

        let paused = runc.call(["pause", id])
        #expect(paused.status == 0, "pause: \(paused.stderr)")
        #expect(runc.status(id) == "paused")
        let cgroup = stateCgroup(runc, id)
        if let v2 = cgroup.v2 {
            #expect(read(v2 + "/cgroup.events").contains("frozen 1"), "v2 cgroup.events: \(read(v2 + "/cgroup.events"))")
        } else if let freezer = cgroup.v1["freezer"] {
            #expect(read(freezer + "/freezer.state").hasPrefix("FROZEN"))
        }
        let frozenAt = read(tick)
        usleep(300_000)
        #expect(read(tick) == frozenAt, "a paused container's counter does not move")
        let execPaused = runc.call(["exec", id, "true"])
        #expect(execPaused.status != 0 && execPaused.stderr.contains("paused"), "exec into a paused container: \(execPaused.stderr)")

        let resumed = runc.call(["resume", id])
        #expect(resumed.status == 0, "resume: \(resumed.stderr)")
        #expect(runc.status(id) == "running")
        #expect(eventually { read(tick) != frozenAt }, "the counter moves again")
        if let v2 = cgroup.v2 { #expect(read(v2 + "/cgroup.events").contains("frozen 0")) }

        let ps = runc.call(["ps", "--format", "json", id])
        #expect(ps.status == 0, "ps: \(ps.stderr)")
        let pids = (try? JSONSerialization.jsonObject(with: Data(ps.stdout.utf8))) as? [Int]
        #expect(pids?.contains(Int(pid)) == true, "ps --format json lists the init \(pid): \(ps.stdout)")

        let pidsDir = cgroup.v1["pids"] ?? cgroup.v2 ?? ""
        #expect(read(pidsDir + "/pids.max").trimmingCharacters(in: .whitespacesAndNewlines) == "100", "the config's limit at \(pidsDir)")
        let updated = runc.call(["update", "--resources", "-", id], stdin: #"{"pids":{"limit":42}}"#)
        #expect(updated.status == 0, "update: \(updated.stderr)")
        #expect(read(pidsDir + "/pids.max").trimmingCharacters(in: .whitespacesAndNewlines) == "42", "pids.max at \(pidsDir)")
    }

    // MARK: 4. Hooks through the CLI

    /// A hook in the runtime's namespaces that saves its stdin and appends its phase to the log.
    func hostHook(_ dir: String, _ phase: String) -> OCISpec.Hook {
        OCISpec.Hook(path: "/bin/sh", args: ["sh", "-c", "cat > \(dir)/\(phase).json && echo \(phase) >> \(dir)/order.log"],
                     env: ["PATH=/usr/bin:/bin"])
    }

    func stateJSON(_ path: String) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(read(path).utf8))) as? [String: Any] ?? [:]
    }

    @Test func hooksRunInOrderWithTheirState() throws {
        let (bundle, out) = bundle(["sleep", "1000"])
        // createContainer runs in the container's namespaces before pivot_root: its path (a host
        // shell script interpreter) resolves as on the host, and the container's own mounts sit
        // under the rootfs path, so <rootfs>/tmp is the container's tmpfs, not the image's /tmp.
        let rootfs = try #require(realpath(TestSupport.busybox, nil).map { p in defer { free(p) }; return String(cString: p) })
        bundle.spec.hooks = OCISpec.Hooks(
            prestart: [hostHook(out, "prestart")],
            createRuntime: [hostHook(out, "createRuntime")],
            createContainer: [OCISpec.Hook(path: "/bin/sh", args: ["sh", "-c",
                "cat > \(rootfs)/tmp/createContainer.json && echo createContainer >> \(out)/order.log"], env: ["PATH=/bin:/usr/bin"])],
            startContainer: [OCISpec.Hook(path: "/bin/sh", args: ["sh", "-c",
                "cat > /mnt/startContainer.json && echo startContainer >> /mnt/order.log"], env: ["PATH=/bin:/usr/bin"])],
            poststart: [hostHook(out, "poststart")],
            poststop: [hostHook(out, "poststop")])
        bundle.write()
        let runc = RuncClient(bundle)
        let id = TestSupport.uniqueID()
        defer { runc.call(["delete", "--force", id]) }

        let pidFile = bundle.dir + "/init.pid"
        let created = runc.call(["create", "--bundle", bundle.dir, "--pid-file", pidFile, id])
        try #require(created.status == 0, "create: \(created.stderr)")
        let pid = try #require(Int32(read(pidFile)))
        #expect(read(out + "/order.log") == "prestart\ncreateRuntime\ncreateContainer\n", "create-time hooks: \(read(out + "/order.log"))")
        #expect(runc.call(["start", id]).status == 0)
        #expect(read(out + "/order.log") == "prestart\ncreateRuntime\ncreateContainer\nstartContainer\npoststart\n")
        let inContainer = "/proc/\(pid)/root/tmp/createContainer.json"
        #expect(FileManager.default.fileExists(atPath: inContainer), "createContainer ran in the container's mount namespace, before pivot_root")
        #expect(!FileManager.default.fileExists(atPath: rootfs + "/tmp/createContainer.json"), "not in the host's view of the image")
        // Read while the container runs: its /tmp goes with it.
        let createContainerState = stateJSON(inContainer)

        #expect(runc.call(["kill", id, "KILL"]).status == 0)
        #expect(runc.waitForStatus(id, "stopped"))
        let deleted = runc.call(["delete", id])
        #expect(deleted.status == 0, "delete: \(deleted.stderr)")
        #expect(read(out + "/order.log") == "prestart\ncreateRuntime\ncreateContainer\nstartContainer\npoststart\npoststop\n",
                "\(read(out + "/order.log"))")

        let expected = [("prestart", out + "/prestart.json", "created"), ("createRuntime", out + "/createRuntime.json", "created"),
                        ("createContainer", inContainer, "created"), ("startContainer", out + "/startContainer.json", "created"),
                        ("poststart", out + "/poststart.json", "running"), ("poststop", out + "/poststop.json", "stopped")]
        for (phase, path, status) in expected {
            let state = phase == "createContainer" ? createContainerState : stateJSON(path)
            #expect(state["id"] as? String == id, "\(phase) got the container id: \(state)")
            #expect(state["status"] as? String == status, "\(phase) sees status \(status): \(state)")
            #expect(state["bundle"] as? String == bundle.dir, "\(phase): \(state)")
            if phase != "poststop" { #expect(state["pid"] as? Int == Int(pid), "\(phase) gets the init's pid: \(state)") }
        }
    }

    @Test func aFailingPrestartHookFailsCreateAndLeavesNothing() throws {
        let (bundle, _) = bundle(["sleep", "1000"]) {
            $0.hooks.prestart = [OCISpec.Hook(path: "/bin/sh", args: ["sh", "-c", "echo bad hook output >&2; exit 3"])]
        }
        let runc = RuncClient(bundle)
        let id = TestSupport.uniqueID()
        defer { runc.call(["delete", "--force", id]) }
        let r = runc.call(["create", "--bundle", bundle.dir, "--pid-file", bundle.dir + "/p", id])
        #expect(r.status != 0, "a failing prestart hook fails create")
        #expect(r.stderr.contains("hooks.prestart[0]") && r.stderr.contains("bad hook output"), "\(r.stderr)")
        #expect(r.stderr.contains("exited with status 3"), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: bundle.stateRoot + "/" + id), "no state dir")
        #expect(cgroupLeftovers(id).isEmpty, "no cgroup: \(cgroupLeftovers(id))")
        #expect(eventually { processesInCgroups(of: id).isEmpty }, "no process: \(processesInCgroups(of: id))")
        #expect(!FileManager.default.fileExists(atPath: bundle.dir + "/p"), "no pid file")
    }

    @Test func aFailingPoststartHookIsAWarning() throws {
        let (bundle, _) = bundle(["sleep", "1000"]) {
            $0.hooks.poststart = [OCISpec.Hook(path: "/bin/sh", args: ["sh", "-c", "echo poststart trouble >&2; exit 4"])]
        }
        let runc = RuncClient(bundle)
        let id = TestSupport.uniqueID()
        defer { runc.call(["delete", "--force", id]) }
        #expect(runc.call(["create", "--bundle", bundle.dir, id]).status == 0)
        let started = runc.call(["start", id])
        #expect(started.status == 0, "a failing poststart hook does not fail start: \(started.stderr)")
        #expect(runc.status(id) == "running")
        let warnings = runc.logLines().filter { $0["level"] as? String == "warning" }
        #expect(warnings.contains {
            let msg = $0["msg"] as? String ?? ""
            return msg.contains("hooks.poststart[0]") && msg.contains("poststart trouble")
        }, "the warning is in --log: \(runc.logLines())")
    }

    // MARK: 5. seccomp without no_new_privs

    /// Starts the bundle, waits for its program to end, returns the container's files in `out`.
    func runToCompletion(_ bundle: TestBundle) throws {
        let runc = RuncClient(bundle)
        let id = TestSupport.uniqueID()
        defer { runc.call(["delete", "--force", id]) }
        _ = try launch(runc, id)
        #expect(runc.waitForStatus(id, "stopped", seconds: 10), "the program ends")
    }

    static let unshareProbe = "cat /proc/self/status > /mnt/status; unshare -U true 2> /mnt/unshare.err; echo $? > /mnt/unshare.rc"

    @Test func seccompIsLoadedWithoutNoNewPrivileges() throws {
        let (bundle, out) = bundle(["sh", "-c", Self.unshareProbe]) { $0.process?.noNewPrivileges = false }
        #expect(bundle.spec.process?.capabilities?.bounding.contains("CAP_SYS_ADMIN") == false, "the default lacks CAP_SYS_ADMIN")
        try runToCompletion(bundle)
        let status = read(out + "/status")
        #expect(status.contains("NoNewPrivs:\t0"), "no_new_privs is off: \(status)")
        #expect(status.contains("Seccomp:\t2"), "the filter is loaded: \(status)")
        #expect(read(out + "/unshare.rc") == "1\n", "unshare(CLONE_NEWUSER) is refused: \(read(out + "/unshare.err"))")
        #expect(read(out + "/unshare.err").contains("Operation not permitted"), "\(read(out + "/unshare.err"))")

        // The control: without the filter the same program may make a user namespace.
        let (free, freeOut) = self.bundle(["sh", "-c", Self.unshareProbe]) {
            $0.process?.noNewPrivileges = false
            $0.linux?.seccomp = nil
        }
        try runToCompletion(free)
        #expect(read(freeOut + "/status").contains("Seccomp:\t0"))
        #expect(read(freeOut + "/unshare.rc") == "0\n", "without seccomp unshare -U works: \(read(freeOut + "/unshare.err"))")
    }

    @Test(arguments: [true, false])
    func aProfileWithoutCloseRangeStillStarts(noNewPrivileges: Bool) throws {
        let (bundle, out) = bundle(["sh", "-c", "grep Seccomp: /proc/self/status > /mnt/ok; exec sleep 1000"]) {
            $0.process?.noNewPrivileges = noNewPrivileges
            guard var seccomp = $0.linux?.seccomp else { return }
            seccomp.syscalls = seccomp.syscalls.map {
                var rule = $0
                rule.names.removeAll { $0 == "close_range" }
                return rule
            }.filter { !$0.names.isEmpty }
            $0.linux?.seccomp = seccomp
        }
        let names = bundle.spec.linux?.seccomp?.syscalls.flatMap(\.names) ?? []
        #expect(!names.isEmpty && !names.contains("close_range"))
        let runc = RuncClient(bundle)
        let id = TestSupport.uniqueID()
        defer { runc.call(["delete", "--force", id]) }
        _ = try launch(runc, id)
        #expect(eventually { read(out + "/ok") == "Seccomp:\t2\n" }, "the program ran under the filter: \(read(out + "/ok").debugDescription)")
        // exec loads the same filter after releasing its fds too.
        let exec = runc.call(["exec", id, "grep", "Seccomp:", "/proc/self/status"])
        #expect(exec.status == 0 && exec.stdout == "Seccomp:\t2\n", "exec under the profile: \(exec.stdout) \(exec.stderr)")
    }

    // MARK: 6. Joining a pid namespace by path

    @Test func joinsAnotherContainersPidNamespaceByPath() throws {
        let (first, _) = bundle(["sleep", "1000"])
        let runcA = RuncClient(first)
        let a = TestSupport.uniqueID("a")
        defer { runcA.call(["delete", "--force", a]) }
        let pidA = try launch(runcA, a)

        let (second, out) = bundle(["sh", "-c", "ps > /mnt/ps; readlink /proc/self/ns/pid > /mnt/ns; echo $$ > /mnt/self"]) {
            LifecycleTests.join(&$0, "pid", "/proc/\(pidA)/ns/pid")
        }
        let runcB = RuncClient(second)
        let b = TestSupport.uniqueID("b")
        defer { runcB.call(["delete", "--force", b]) }
        _ = try launch(runcB, b)
        #expect(runcB.waitForStatus(b, "stopped", seconds: 10))
        let ps = read(out + "/ps")
        #expect(ps.split(separator: "\n").contains { $0.contains("sleep 1000") }, "B sees A's sleep: \(ps)")
        #expect(read(out + "/ns") == nsLink(pidA, "pid") + "\n", "B's pid namespace is A's")
        #expect(read(out + "/self") != "1\n", "B's init is not pid 1 in A's namespace")
        #expect(runcA.status(a) == "running", "A runs on")
    }
}

// MARK: - The shim's end of --console-socket

private func listenUnix(_ path: String) throws -> Int32 {
    let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    try #require(fd >= 0, "socket: \(errno)")
    var addr = sockaddr_un()
    addr.sun_family = sa_family_t(AF_UNIX)
    let bytes = Array(path.utf8)
    try #require(bytes.count < MemoryLayout.size(ofValue: addr.sun_path), "socket path too long: \(path)")
    withUnsafeMutableBytes(of: &addr.sun_path) { raw in
        raw.copyBytes(from: bytes)
        raw[bytes.count] = 0
    }
    let bound = withUnsafePointer(to: &addr) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
    }
    try #require(bound == 0 && listen(fd, 4) == 0, "bind/listen \(path): \(errno)")
    return fd
}

private func acceptWithin(_ listener: Int32, seconds: Int32) throws -> Int32 {
    var p = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
    try #require(poll(&p, 1, seconds * 1000) == 1, "no connection on the console socket")
    let fd = accept(listener, nil, nil)
    try #require(fd >= 0, "accept: \(errno)")
    _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
    return fd
}

/// One recvmsg; the fds of its SCM_RIGHTS control messages (received close-on-exec).
private func receiveFDs(_ socket: Int32) throws -> [Int32] {
    var timeout = timeval(tv_sec: 5, tv_usec: 0)
    setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    var data = [UInt8](repeating: 0, count: 4096)
    var control = [UInt64](repeating: 0, count: 64)   // 8-byte aligned cmsghdr buffer
    var controlLength = 0
    let n: Int = data.withUnsafeMutableBytes { dataBytes in
        control.withUnsafeMutableBytes { controlBytes in
            var iov = iovec(iov_base: dataBytes.baseAddress, iov_len: dataBytes.count)
            return withUnsafeMutablePointer(to: &iov) { iovPointer in
                var msg = msghdr()
                msg.msg_iov = iovPointer
                msg.msg_iovlen = 1
                msg.msg_control = controlBytes.baseAddress
                msg.msg_controllen = controlBytes.count
                let r = recvmsg(socket, &msg, Int32(MSG_CMSG_CLOEXEC))
                controlLength = Int(msg.msg_controllen)
                return r
            }
        }
    }
    try #require(n >= 0, "recvmsg: \(errno)")
    return control.withUnsafeBytes { raw in
        // struct cmsghdr on 64-bit Linux: size_t len; int level; int type; then the data.
        var fds: [Int32] = [], offset = 0
        while offset + 16 <= controlLength {
            let len = Int(raw.load(fromByteOffset: offset, as: UInt64.self))
            let level = raw.load(fromByteOffset: offset + 8, as: Int32.self)
            let type = raw.load(fromByteOffset: offset + 12, as: Int32.self)
            guard len >= 16 else { break }
            if level == SOL_SOCKET && type == 1 /* SCM_RIGHTS */ {
                for i in 0..<(len - 16) / 4 { fds.append(raw.load(fromByteOffset: offset + 16 + 4 * i, as: Int32.self)) }
            }
            offset += (len + 7) & ~7
        }
        return fds
    }
}

/// Reads a pty master until `needle` shows up, the slave side closes (EIO) or time runs out.
private func readUntil(_ fd: Int32, contains needle: String, seconds: Double) -> String {
    var collected = Data()
    let deadline = Date().addingTimeInterval(seconds)
    var buf = [UInt8](repeating: 0, count: 4096)
    while Date() < deadline, !String(decoding: collected, as: UTF8.self).contains(needle) {
        var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&p, 1, 100) >= 0 || errno == EINTR else { break }
        if p.revents == 0 { continue }
        let n = read(fd, &buf, buf.count)
        if n < 0 && errno == EINTR { continue }
        if n <= 0 { break }
        collected.append(contentsOf: buf[0..<n])
    }
    return String(decoding: collected, as: UTF8.self)
}
