import Foundation
import Glibc
@testable import PodNetwork

/// What the CNI tests need from the machine.
enum CNIHost {
    static let isRoot = getuid() == 0
    static let hasDebianPlugins = FileManager.default.isExecutableFile(atPath: "/usr/lib/cni/bridge")
    static let hasTools = ["/usr/sbin/ip", "/usr/sbin/iptables-save", "/usr/bin/nsenter", "/usr/bin/unshare", "/usr/bin/python3"]
        .allSatisfy { FileManager.default.isExecutableFile(atPath: $0) }
    /// Real plugins in namespaces the test makes: root, /usr/lib/cni/bridge, ip, iptables, python3.
    static let canRunPlugins = isRoot && hasDebianPlugins && hasTools
    static let canMakeNamespaces = isRoot && hasTools
    static let hasPython = FileManager.default.isExecutableFile(atPath: "/usr/bin/python3")
}

/// Runs a command to its end (bounded by `timeout`, then killed); stdout and stderr together.
@discardableResult
func run(_ arguments: [String], timeout: TimeInterval = 30) -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: arguments[0])
    process.arguments = Array(arguments.dropFirst())
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    process.standardInput = FileHandle.nullDevice
    do { try process.run() } catch { return (-1, "\(arguments[0]): \(error)") }
    let pid = process.processIdentifier
    let killer = DispatchWorkItem { kill(pid, SIGKILL) }
    DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: killer)
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    killer.cancel()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}

func makeTempDir(_ tag: String) -> String {
    var template = Array("/tmp/swiftlet-cnitest-\(tag)-XXXXXX".utf8CString)
    guard let made = mkdtemp(&template) else { fatalError("mkdtemp: \(String(cString: strerror(errno)))") }
    return String(cString: made)
}

func write(_ text: String, to path: String, mode: mode_t = 0o644) {
    FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
    chmod(path, mode)
}

func fileNames(_ dir: String) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).sorted()
}

/// A lab for one test: a plugin netns (every plugin runs there: bridges, veths, iptables rules and
/// sysctls never touch the machine's own network), pod netns, a temp dir for IPAM leases and kept
/// attachments, and background processes. `cleanup()` removes everything it made.
final class CNILab: @unchecked Sendable {
    let id = String(UInt32.random(in: 0...UInt32.max), radix: 36)
    let dir: String
    let pluginNetnsName: String
    private var podNetnsNames: [String] = []
    private var processes: [Process] = []
    private var pinned: [String] = []

    init() throws {
        dir = makeTempDir("lab")
        pluginNetnsName = "swiftlet-cnitest-\(id)"
        try Self.check(run(["/usr/sbin/ip", "netns", "add", pluginNetnsName]))
        try Self.check(run(["/usr/sbin/ip", "-n", pluginNetnsName, "link", "set", "lo", "up"]))
    }

    var pluginNetns: String { "/run/netns/\(pluginNetnsName)" }
    var ipamDir: String { dir + "/ipam" }
    var store: AttachmentStore { AttachmentStore(dir: dir + "/attachments") }
    var runtime: CNIRuntime { CNIRuntime(pluginNetns: pluginNetns) }

    func client(timeout: Duration = .seconds(30)) -> CNIClient {
        CNIClient(runtime: CNIRuntime(timeout: timeout, pluginNetns: pluginNetns), store: store)
    }

    func network(_ cidr: String = "10.85.0.0/24") throws -> CNINetworkConfig {
        try CNINetworkConfig.swiftletDefault(podCIDR: cidr, ipamDataDir: ipamDir)
    }

    /// A pod netns made with `ip netns add`; returns its name (its path is /run/netns/<name>).
    func makePod(_ tag: String) throws -> String {
        let name = "swiftlet-cnitest-\(id)-\(tag)"
        try Self.check(run(["/usr/sbin/ip", "netns", "add", name]))
        podNetnsNames.append(name)
        try Self.check(run(["/usr/sbin/ip", "-n", name, "link", "set", "lo", "up"]))
        return name
    }

    func deletePod(_ name: String) {
        run(["/usr/sbin/ip", "netns", "del", name])
        podNetnsNames.removeAll { $0 == name }
    }

    func request(_ podName: String, netns: String, sandboxID: String? = nil, ports: [PortMapping] = []) -> AttachmentRequest {
        AttachmentRequest(
            sandboxID: sandboxID ?? "sb-\(podName)-\(id)", netns: netns, podName: podName, podNamespace: "default",
            podUID: "uid-\(podName)", portMappings: ports)
    }

    /// Starts a background process, killed at cleanup.
    func start(_ arguments: [String], directory: String? = nil) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: arguments[0])
        process.arguments = Array(arguments.dropFirst())
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        try process.run()
        processes.append(process)
        return process
    }

    func pin(pid: Int32, name: String) throws -> String {
        let path = "\(dir)/netns/\(name)"
        try NetnsPin.pin(pid: pid, at: path)
        pinned.append(path)
        return path
    }

    /// A command in the plugin netns.
    func inPluginNetns(_ arguments: [String]) -> (status: Int32, output: String) {
        run(["/usr/sbin/ip", "netns", "exec", pluginNetnsName] + arguments)
    }

    /// The host-local leases of the network "swiftlet" (the IPs; not its lock and last-reserved files).
    func leases(network: String = "swiftlet") -> [String] {
        fileNames("\(ipamDir)/\(network)").filter { $0 != "lock" && !$0.hasPrefix("last_reserved_ip") }
    }

    /// The iptables rules and chains of the plugin netns that mention CNI, without counters.
    func cniRules() -> [String] {
        inPluginNetns(["/usr/sbin/iptables-save"]).output.split(separator: "\n").map(String.init)
        .filter { $0.contains("CNI") }
        .map { $0.replacingOccurrences(of: #"\[\d+:\d+\]"#, with: "", options: .regularExpression) }
        .sorted()
    }

    /// The names of the plugin netns's links (the veth's peer part after "@" dropped).
    func links() -> [String] {
        inPluginNetns(["/usr/sbin/ip", "-o", "link"]).output.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ")
            guard fields.count > 1 else { return nil }
            return String(fields[1].dropLast().prefix { $0 != "@" })
        }.sorted()
    }

    func cleanup() {
        for process in processes where process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        for path in pinned { NetnsPin.unpin(path) }
        for name in podNetnsNames { run(["/usr/sbin/ip", "netns", "del", name]) }
        run(["/usr/sbin/ip", "netns", "del", pluginNetnsName])
        try? FileManager.default.removeItem(atPath: dir)
    }

    struct CommandFailed: Error, CustomStringConvertible { let description: String }

    static func check(_ result: (status: Int32, output: String)) throws {
        if result.status != 0 { throw CommandFailed(description: "exit \(result.status): \(result.output)") }
    }
}

func withLab<T>(_ body: (CNILab) throws -> T) throws -> T {
    let lab = try CNILab()
    defer { lab.cleanup() }
    return try body(lab)
}

/// Fake plugins (python scripts) in a temp bin dir. Each call is logged as
/// <log>/<nnn>-<COMMAND>-<tag>.json: {"stdin": …, "env": {CNI_*, PATH}, "netns": "net:[…]", "pid": n}.
/// What a fake does is said in its config object: "behavior": ok | error-stdout | error-stderr |
/// text | hang | del-fails | bad-result, "tag": a name for the log.
final class FakePlugins: @unchecked Sendable {
    let dir = makeTempDir("fake")
    var binDir: String { dir + "/bin" }
    var logDir: String { dir + "/log" }

    init() {
        try? FileManager.default.createDirectory(atPath: binDir, withIntermediateDirectories: true)
        try? FileManager.default.createDirectory(atPath: logDir, withIntermediateDirectories: true)
        write(Self.script, to: binDir + "/fake", mode: 0o755)
    }

    func runtime(timeout: Duration = .seconds(10), pluginNetns: String? = nil) -> CNIRuntime {
        CNIRuntime(binDirs: [binDir], timeout: timeout, pluginNetns: pluginNetns)
    }

    var store: AttachmentStore { AttachmentStore(dir: dir + "/attachments") }

    /// A conflist of fakes; each entry is (tag, behavior, extra JSON members or "").
    func network(_ plugins: [(tag: String, behavior: String, extra: String)], name: String = "fakenet") throws -> CNINetworkConfig {
        let objects = plugins.map { plugin in
            "{\"type\":\"fake\",\"tag\":\"\(plugin.tag)\",\"behavior\":\"\(plugin.behavior)\",\"logDir\":\"\(logDir)\"\(plugin.extra.isEmpty ? "" : "," + plugin.extra)}"
        }
        let json = "{\"cniVersion\":\"1.0.0\",\"name\":\"\(name)\",\"plugins\":[\(objects.joined(separator: ","))]}"
        return try CNINetworkConfig(bytes: Array(json.utf8), source: "test")
    }

    /// The logged calls, in order: (command, tag, the log object).
    func calls() -> [(command: String, tag: String, log: [String: Any])] {
        fileNames(logDir).compactMap { name in
            let parts = name.dropLast(5).split(separator: "-", maxSplits: 2)
            guard parts.count == 3, let data = FileManager.default.contents(atPath: "\(logDir)/\(name)"),
                  let log = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else { return nil }
            return (String(parts[1]), String(parts[2]), log)
        }
    }

    func cleanup() {
        try? FileManager.default.removeItem(atPath: dir)
    }

    static let script = #"""
        #!/usr/bin/python3
        import json, os, sys, time
        conf = json.load(sys.stdin)
        command = os.environ.get("CNI_COMMAND", "")
        log = conf["logDir"]
        n = len(os.listdir(log))
        record = {"stdin": conf, "pid": os.getpid(), "netns": os.readlink("/proc/self/ns/net"),
                  "env": {k: v for k, v in os.environ.items() if k.startswith("CNI_") or k == "PATH"}}
        if "watch" in conf:
            record["watched"] = open(conf["watch"]).read() if os.path.exists(conf["watch"]) else None
        with open(os.path.join(log, "%03d-%s-%s.json" % (n, command, conf["tag"])), "w") as f:
            json.dump(record, f)
        behavior = conf.get("behavior", "ok")
        error = {"cniVersion": "1.0.0", "code": 7, "msg": "fake failure of " + conf["tag"], "details": "it was asked to"}
        if command == "ADD":
            if behavior == "error-stdout":
                print(json.dumps(error)); sys.exit(1)
            if behavior == "error-stderr":
                sys.stderr.write(json.dumps(error)); sys.exit(1)
            if behavior == "text":
                sys.stderr.write("  something broke\n"); sys.exit(3)
            if behavior == "hang":
                sys.stdout.flush(); time.sleep(1000)
            if behavior == "bad-result":
                print("not json"); sys.exit(0)
            result = conf.get("prevResult") or {"cniVersion": "1.0.0",
                "interfaces": [{"name": "fakebr0"}, {"name": "veth0"}, {"name": "eth0", "sandbox": os.environ.get("CNI_NETNS", "")}],
                "ips": [{"address": "10.99.0.7/24", "gateway": "10.99.0.1", "interface": 2}]}
            result.setdefault("seenBy", []).append(conf["tag"])
            print(json.dumps(result))
        elif command == "DEL":
            if behavior == "del-fails":
                print(json.dumps(dict(error, msg="fake DEL failure of " + conf["tag"]))); sys.exit(1)
        """#
}
