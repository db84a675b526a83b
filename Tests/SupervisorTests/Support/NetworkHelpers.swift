import Foundation

/// What the network end-to-end tests look at: pod IPs, the state swiftlet keeps for a network
/// attachment (`networks/`, `netns/`, host-local leases), and the session namespace's links and
/// iptables rules. Everything here reads the session's own root or runs inside the session's
/// network namespace: nothing touches the machine's own network.
extension E2ESession {
    /// `status` of `get pods NAME -o json`.
    func status(_ name: String) -> [String: Any]? { pod(name)?["status"] as? [String: Any] }

    /// `status.podIP`, nil when absent.
    func podIP(_ name: String) -> String? { status(name)?["podIP"] as? String }

    /// The names in `<root>/<sub>`, sorted; empty when the directory is missing.
    func entries(_ sub: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: root + "/" + sub)) ?? []).sorted()
    }

    /// Where host-local keeps the leases of swiftlet's default network.
    static let defaultLeases = "cni/ipam/swiftlet"

    /// The host-local lease files (named by IP) under `<root>/<sub>`.
    func leases(_ sub: String = defaultLeases) -> [String] {
        entries(sub).filter(Self.isIPv4)
    }

    /// The container ID (sandbox ID) a host-local lease file names (`id\r\nifname`).
    func leaseOwner(_ ip: String, _ sub: String = defaultLeases) -> String? {
        guard let text = try? String(contentsOfFile: root + "/" + sub + "/" + ip, encoding: .utf8) else { return nil }
        return String(text.prefix { !$0.isNewline })   // "\r\n" is one Character
    }

    /// The pod's `pod.json` as swiftlet keeps it.
    func record(_ name: String) -> [String: Any]? {
        guard let data = FileManager.default.contents(atPath: root + "/pods/" + name + "/pod.json") else { return nil }
        return (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
    }

    /// The pod's sandbox ID (`network.sandboxID` in pod.json).
    func sandboxID(_ name: String) -> String? {
        (record(name)?["network"] as? [String: Any])?["sandboxID"] as? String
    }

    /// `iptables-save` of the session namespace without comments and counters.
    func iptablesRules() -> String {
        inNetns(["sh", "-c", "iptables-save | grep -v '^#' | sed 's/\\[[0-9]*:[0-9]*\\]//'"]).out
    }

    /// The names of the session namespace's links (`ip -o link`), `@peer` suffixes cut.
    func linkNames() -> [String] {
        inNetns(["ip", "-o", "link"]).out.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: ":", maxSplits: 2)
            guard fields.count >= 2 else { return nil }
            return String(fields[1].trimmingCharacters(in: .whitespaces).split(separator: "@").first ?? "")
        }.sorted()
    }

    /// `swiftlet exec POD -- command...`.
    @discardableResult
    func exec(_ pod: String, _ command: [String], container: String? = nil) -> (status: Int32, out: String, err: String) {
        run(["exec", pod] + (container.map { ["-c", $0] } ?? []) + ["--"] + command, timeout: 30)
    }

    /// An HTTP GET from inside `pod` with busybox nc (busybox wget crashes on this machine).
    func httpFromPod(_ pod: String, _ host: String, _ port: Int) -> String {
        exec(pod, ["sh", "-c", "printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc \(host) \(port)"]).out
    }

    /// `curl -s -m 2 URL` from the session namespace; its body.
    func curl(_ url: String) -> String { inNetns(["curl", "-s", "-m", "2", url]).out }

    /// The IPv4 address (without prefix) in `ip -o -4 addr show eth0` output.
    static func inetAddress(_ ipOutput: String) -> String? {
        let words = ipOutput.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" })
        guard let i = words.firstIndex(of: "inet"), i + 1 < words.count else { return nil }
        return words[i + 1].split(separator: "/").first.map(String.init)
    }

    static func isIPv4(_ text: String) -> Bool {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts.allSatisfy { UInt8($0) != nil }
    }

    /// Writes an executable script; returns its path.
    func script(_ path: String, _ text: String) -> String {
        try? FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try? text.write(toFile: path, atomically: true, encoding: .utf8)
        chmod(path, 0o755)
        return path
    }

    /// Kills a pod's processes as swiftlet recorded them (sandbox and containers, SIGKILL by pid)
    /// and removes their cgroups: for a test that throws a pod's state away by hand.
    func killRecordedProcesses(_ name: String) {
        guard let r = record(name) else { return }
        var pids: [Int32] = []
        if let p = r["sandboxPID"] as? Int { pids.append(Int32(p)) }
        var cgroups: [String] = []
        for c in (r["containers"] as? [[String: Any]]) ?? [] {
            if let p = c["pid"] as? Int { pids.append(Int32(p)) }
            // The v1 directories a container joined for its limits too (hybrid hosts), not only v2.
            let paths = c["cgroup"] as? [String: Any]
            cgroups += ((paths?["v1"] as? [String: String]) ?? [:]).values.sorted()
            if let v2 = paths?["v2"] as? String { cgroups.append(v2) }
        }
        for pid in pids where pid > 1 { kill(pid, SIGKILL) }
        for cgroup in cgroups {
            for _ in 0..<50 where rmdir(cgroup) != 0 && errno == EBUSY { usleep(20_000) }
        }
    }
}

/// Pod YAML for the network tests.
enum NetworkPods {
    static let busybox = E2ESession.busybox

    /// A shell as pid 1 that exits at once on SIGTERM while `command` runs in the background.
    static func onTerm(_ command: String) -> String { "trap 'exit 143' TERM; \(command) & wait" }

    /// httpd on port 8080 serving `hello-<hostname>`, optionally with a hostPort for 8080.
    static let webScript = "echo hello-$(hostname) > /tmp/index.html; " + onTerm("httpd -f -p 8080 -h /tmp")

    /// A one-container pod (`c`) running `sh -c script`, with extra `spec` and `container` lines
    /// (the probe tests' pod with a 1 s grace period), ending in a newline for `file`.
    static func pod(_ name: String, script: String, spec: String = "", container: String = "") -> String {
        let spec = "terminationGracePeriodSeconds: 1" + (spec.isEmpty ? "" : "\n" + spec)
        return ProbeE2ETests.pod(name, script: script, spec: spec, container: container) + "\n"
    }

    static func web(_ name: String, hostPort: Int? = nil, spec: String = "", container: String = "") -> String {
        let ports = hostPort.map { "ports:\n- {containerPort: 8080, hostPort: \($0)}" } ?? ""
        return pod(name, script: webScript, spec: spec, container: ports + "\n" + container)
    }

    static func sleeper(_ name: String) -> String { pod(name, script: onTerm("sleep 600")) }

    static func file(_ pods: [String]) -> String { pods.joined(separator: "---\n") }
}
