import CShims
import ContainerRuntime
import Foundation
import Testing

/// runc's lifecycle as clients drive it (runtime-spec runtime.md; what conmon and containerd's
/// shim call and parse): create leaves the init waiting, start releases it, state, kill, delete.
@Suite(.enabled(if: TestSupport.isRoot, TestSupport.rootReason), .serialized)
struct RuncLifecycleTests {
    /// A bundle whose program leaves a mark in a host directory bound at /mnt, then sleeps.
    func markingBundle(_ script: String = "echo started > /mnt/mark; exec sleep 1000") -> (TestBundle, String) {
        let bundle = TestBundle(args: ["sh", "-c", script])
        let out = bundle.dir + "/out"
        try? FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        bundle.spec.mounts.append(OCISpec.Mount(destination: "/mnt", type: "bind", source: out, options: ["rbind", "rw"]))
        bundle.write()
        return (bundle, out + "/mark")
    }

    @Test func createWaitsForStartThenStateKillDelete() throws {
        let (bundle, mark) = markingBundle()
        let runc = RuncClient(bundle)
        let id = TestSupport.uniqueID()
        let pidFile = bundle.dir + "/init.pid"

        let created = runc.call(["create", "--bundle", bundle.dir, "--pid-file", pidFile, id])
        #expect(created.status == 0, "create: \(created.stderr)")
        #expect(created.stderr.isEmpty, "a successful create prints nothing on stderr (podman's stderr is the container's)")
        // go-runc reads the pid file with Atoi of the whole file: digits, no newline.
        let pidText = try String(contentsOfFile: pidFile, encoding: .utf8)
        #expect(pidText.allSatisfy { $0.isNumber }, "pid file \(pidText.debugDescription)")
        let pid = try #require(Int32(pidText))
        let state = try #require(runc.state(id))
        #expect(state["status"] as? String == "created")
        #expect(state["pid"] as? Int == Int(pid))
        #expect(state["bundle"] as? String == bundle.dir)
        #expect(state["ociVersion"] != nil && state["id"] as? String == id)
        #expect(processExists(pid), "the init lives on after create exited")
        usleep(200_000)
        #expect(!FileManager.default.fileExists(atPath: mark), "the program must not run before start")

        let started = runc.call(["start", id])
        #expect(started.status == 0 && started.stderr.isEmpty, "start: \(started.stderr)")
        #expect(eventually { FileManager.default.fileExists(atPath: mark) }, "the program runs after start")
        #expect(runc.status(id) == "running")
        #expect(runc.call(["start", id]).status != 0, "a second start is refused")

        let refused = runc.call(["delete", id])
        #expect(refused.status != 0 && refused.stderr.contains("not stopped"), "\(refused.stderr)")

        #expect(runc.call(["kill", id, "SIGKILL"]).status == 0)
        #expect(runc.waitForStatus(id, "stopped"), "state after the init died")
        #expect(runc.state(id)?["pid"] as? Int == 0, "pid 0 once stopped, as runc")
        let killStopped = runc.call(["kill", id, "9"])
        #expect(killStopped.status != 0 && killStopped.stderr.contains("container not running"), "\(killStopped.stderr)")
        #expect(runc.call(["kill", "--all", id, "KILL"]).status == 0, "kill --all of a stopped container succeeds")

        #expect(runc.call(["delete", id]).status == 0)
        let gone = runc.call(["state", id])
        #expect(gone.status != 0 && gone.stderr.contains("does not exist"), "\(gone.stderr)")
        #expect(!FileManager.default.fileExists(atPath: bundle.stateRoot + "/" + id))
        #expect(runc.call(["delete", "--force", id]).status == 0, "delete --force of a missing container exits 0")
        let missing = runc.call(["delete", id])
        #expect(missing.status == 1 && missing.stderr.contains("does not exist"), "\(missing.stderr)")
    }

    @Test func deletingACreatedContainerKillsItsWaitingInit() throws {
        let (bundle, mark) = markingBundle()
        let runc = RuncClient(bundle)
        let id = TestSupport.uniqueID()
        let pidFile = bundle.dir + "/init.pid"
        #expect(runc.call(["create", "--bundle", bundle.dir, "--pid-file", pidFile, id]).status == 0)
        let pid = try #require(Int32(String(contentsOfFile: pidFile, encoding: .utf8)))
        let deleted = runc.call(["delete", id])
        #expect(deleted.status == 0, "runc deletes a created container without --force: \(deleted.stderr)")
        #expect(eventually { !processExists(pid) }, "its init is killed")
        #expect(!FileManager.default.fileExists(atPath: mark), "and its program never ran")
    }

    @Test func deleteForceKillsARunningContainer() throws {
        let (bundle, _) = markingBundle()
        let runc = RuncClient(bundle)
        let id = TestSupport.uniqueID()
        let pidFile = bundle.dir + "/init.pid"
        #expect(runc.call(["create", "--bundle", bundle.dir, "--pid-file", pidFile, id]).status == 0)
        #expect(runc.call(["start", id]).status == 0)
        let pid = try #require(Int32(String(contentsOfFile: pidFile, encoding: .utf8)))
        let cgroup = try #require((runc.state(id)?["cgroup"] as? [String: Any])?["v2"] as? String)
        #expect(runc.call(["delete", "--force", id]).status == 0)
        #expect(eventually { !processExists(pid) })
        #expect(!FileManager.default.fileExists(atPath: cgroup), "the cgroup is removed")
    }

    @Test func aMissingExecutableFailsCreateAndLeavesNothing() throws {
        let bundle = TestBundle(args: ["/nonexistent/program"])
        let runc = RuncClient(bundle)
        let id = TestSupport.uniqueID()
        let r = runc.call(["create", "--bundle", bundle.dir, "--pid-file", bundle.dir + "/p", id])
        #expect(r.status == 1)
        // podman maps "no such file or directory" to exit 127; the error names the program.
        #expect(r.stderr.contains("/nonexistent/program") && r.stderr.contains("No such file or directory"), "\(r.stderr)")
        let last = try #require(runc.logLines().last, "the error is in --log too")
        #expect(last["level"] as? String == "error")
        #expect((last["msg"] as? String)?.contains("/nonexistent/program") == true)
        #expect((last["time"] as? String)?.hasSuffix("Z") == true)
        #expect(!FileManager.default.fileExists(atPath: bundle.stateRoot + "/" + id), "no state left")
        #expect(!FileManager.default.fileExists(atPath: "/sys/fs/cgroup/unified/swiftlet/" + id)
                && !FileManager.default.fileExists(atPath: "/sys/fs/cgroup/swiftlet/" + id), "no cgroup left")
        #expect(!FileManager.default.fileExists(atPath: bundle.dir + "/p"), "no pid file")
    }

    @Test func theLogFileIsCreatedEvenOnSuccessAndUsageErrorsAreLogged() {
        let bundle = TestBundle(args: ["true"])
        let runc = RuncClient(bundle)
        #expect(runc.call(["list"]).status == 0)
        #expect(FileManager.default.fileExists(atPath: runc.logFile), "containerd reads log.json after any failure")
        let bad = runc.call(["create", "--no-such-flag", "x"])
        #expect(bad.status != 0)
        #expect(runc.logLines().last?["level"] as? String == "error", "a usage error is logged too")
        // logrus text format when --log-format is text.
        let text = bundle.dir + "/log.txt"
        let r = runc.call(["state", "nothing-here"], globals: ["--root=" + bundle.stateRoot, "--log=" + text, "--log-format=text"])
        #expect(r.status == 1 && r.stderr.contains("container \"nothing-here\" does not exist"), "\(r.stderr)")
        let line = (try? String(contentsOfFile: text, encoding: .utf8)) ?? ""
        #expect(line.hasPrefix("time=\"") && line.contains("level=error msg=\"container \\\"nothing-here\\\" does not exist\""), "\(line)")
    }

    @Test func versionAndFeaturesAreWhatClientsParse() throws {
        let bundle = TestBundle(args: ["true"])
        let runc = RuncClient(bundle)
        let version = runc.call(["--version"], globals: [])
        #expect(version.status == 0)
        let first = version.stdout.split(separator: "\n").first.map(String.init) ?? ""
        #expect(first.hasPrefix("swiftlet-runtime version "), "go-runc parses '<name> version X': \(first)")
        let features = runc.call(["features"])
        let doc = try #require(try? JSONSerialization.jsonObject(with: Data(features.stdout.utf8)) as? [String: Any])
        #expect(doc["ociVersionMin"] as? String == "1.0.0")
        #expect((doc["hooks"] as? [String])?.contains("createRuntime") == true)
        #expect(((doc["linux"] as? [String: Any])?["namespaces"] as? [String])?.contains("pid") == true)
    }

    @Test func signalsAreAcceptedAsNamesOrNumbers() throws {
        for signal in ["KILL", "SIGKILL", "sigkill", "9"] {
            let (bundle, _) = markingBundle("exec sleep 1000")
            let runc = RuncClient(bundle)
            let id = TestSupport.uniqueID()
            #expect(runc.call(["create", "--bundle", bundle.dir, id]).status == 0)
            #expect(runc.call(["start", id]).status == 0)
            #expect(runc.call(["kill", id, signal]).status == 0, "kill \(signal)")
            #expect(runc.waitForStatus(id, "stopped"), "after kill \(signal)")
            #expect(runc.call(["delete", id]).status == 0)
        }
    }

    /// A zombie init (exited, not yet reaped by its subreaper) is stopped, as runc's hasInit says.
    @Test func aZombieInitIsStopped() throws {
        let (bundle, _) = markingBundle("exit 3")
        let runc = RuncClient(bundle)
        let id = TestSupport.uniqueID()
        let pidFile = bundle.dir + "/p"
        // Become the subreaper the init is reparented to, as conmon and the shim are, and do not reap.
        #expect(sl_set_child_subreaper() == 0)
        defer { _ = sl_clear_child_subreaper() }
        #expect(runc.call(["create", "--bundle", bundle.dir, "--pid-file", pidFile, id]).status == 0)
        let pid = try #require(Int32(String(contentsOfFile: pidFile, encoding: .utf8)))
        #expect(runc.call(["start", id]).status == 0)
        #expect(eventually {
            ((try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? "").contains(") Z ")
        }, "the init is a zombie of ours")
        #expect(runc.status(id) == "stopped")
        var status: Int32 = 0
        #expect(waitpid(pid, &status, 0) == pid)
        #expect((status >> 8) & 0xff == 3, "the subreaper gets the exit code")
        #expect(runc.call(["delete", id]).status == 0)
    }

    /// `run` does not stop at the hooks' points: a config with hooks is refused by name rather
    /// than run without them.
    @Test func runRefusesHooksItWouldNotRun() {
        let bundle = TestBundle(args: ["true"]) { $0.hooks.prestart = [OCISpec.Hook(path: "/bin/true")] }
        let r = RuncClient(bundle).call(["run", "--bundle", bundle.dir, TestSupport.uniqueID()])
        #expect(r.status == 1 && r.stderr.contains("config.json: hooks: `run` does not run hooks"), "\(r.stderr)")
    }
}
