import CShims
import ContainerRuntime
import Foundation
import GoFormat
import PodSpec
import ProbeHandlers
import Probes

/// What one due probe needs, captured inside the actor so that it can run outside it.
enum ProbeTarget: Sendable {
    case http(HTTPProbeTarget, netns: String, timeout: Duration)
    case tcp(host: String, port: Int, netns: String, timeout: Duration)
    case grpc(GRPCProbeTarget, netns: String, timeout: Duration)
    case exec([String], ExecTarget, timeout: Duration)
    case unknown(String)
}

/// An exec probe's container: where it runs and with which settings.
struct ExecTarget: Sendable {
    let location: ContainerLocation
    let process: OCISpec.Process
    let seccomp: OCISpec.Seccomp?
}

extension PodController {
    func probeTarget(_ pod: PodState, _ key: ProbeKey) -> ProbeTarget? {
        guard let spec = pod.pod.spec.anyContainer(named: key.container),
              let probe = spec.probe(PodSpec.ProbeKind(rawValue: key.kind.rawValue) ?? .liveness),
              let netns = pod.probeNetns else { return nil }
        let timeout = Duration.seconds(probe.timeoutSeconds)
        // The kubelet aims at the pod IP when the probe names no host, so an app that listens on
        // 127.0.0.1 only fails as it would on a node. We dial from inside the pod's namespace
        // (no bridge or iptables on the way, and any CNI network works, even one the host cannot
        // route to); a `host` the probe names is reached from there too: 127.0.0.1 is the pod's.
        let host = pod.podIP ?? "127.0.0.1"
        switch probe.handler {
        case .httpGet(let a):
            guard let port = spec.resolvePort(a.port) else { return .unknown("port \(a.port) is not a port of container \(spec.name)") }
            let target = HTTPProbeTarget(scheme: a.scheme == .https ? .https : .http, host: a.host ?? host, port: port,
                                         path: a.path, headers: a.httpHeaders.map { .init(name: $0.name, value: $0.value) })
            return .http(target, netns: netns, timeout: timeout)
        case .tcpSocket(let a):
            guard let port = spec.resolvePort(a.port) else { return .unknown("port \(a.port) is not a port of container \(spec.name)") }
            return .tcp(host: a.host ?? host, port: port, netns: netns, timeout: timeout)
        case .exec(let command):
            guard let instance = pod.instances[key.container], var process = instance.spec.process else {
                return .unknown("container \(key.container) is not running")
            }
            process.args = command
            process.terminal = false
            let c = instance.container
            let location = ContainerLocation(pid: c.pid, startTime: c.startTime, cgroup: c.cgroup.paths)
            return .exec(command, ExecTarget(location: location, process: process, seccomp: instance.spec.linux?.seccomp), timeout: timeout)
        case .grpc(let a):
            // The kubelet always aims a gRPC probe at the pod IP (the action has no host).
            return .grpc(GRPCProbeTarget(host: host, port: a.port, service: a.service), netns: netns, timeout: timeout)
        }
    }

    /// Runs one probe to its result; never throws.
    func execute(_ target: ProbeTarget) async -> ProbeResult {
        switch target {
        case .http(let t, let netns, let timeout): return Self.result(await probeIO.http(t, netns: netns, timeout: timeout))
        case .tcp(let host, let port, let netns, let timeout):
            return Self.result(await probeIO.tcp(host: host, port: port, netns: netns, timeout: timeout))
        case .grpc(let t, let netns, let timeout): return Self.result(await probeIO.grpc(t, netns: netns, timeout: timeout))
        case .exec(let command, let target, let timeout): return await runExec(command, target, timeout: timeout)
        case .unknown(let why): return .unknown(error: why)
        }
    }

    static func result(_ o: ProbeOutcome) -> ProbeResult {
        switch o {
        case .success: .success
        case .warning(let out): .warning(output: out)
        case .failure(let out): .failure(output: out)
        case .unknown(let err): .unknown(error: err)
        }
    }

    /// An exec probe: the command runs in the container (its namespaces, cgroup, user, env,
    /// capabilities, seccomp) as the init of a nested pid namespace, so a timeout kills the
    /// whole tree it started. stdout and stderr together, at most 10 KiB, are the output.
    func runExec(_ command: [String], _ target: ExecTarget, timeout: Duration) async -> ProbeResult {
        switch await execInContainer(target, timeout: timeout) {
        case .failedToStart(let error): return .unknown(error: error)
        case .timedOut: return .failure(output: "command \(goQuoted(command.joined(separator: " "))) timed out")
        case .exited(let code, let output): return code == 0 ? .success : .failure(output: output)
        }
    }

    /// How a command run in a container (an exec probe or hook) ended.
    enum ExecOutcome {
        case failedToStart(String)
        case timedOut
        /// The command's exit code (or 128 + the signal that ended it) and its output.
        case exited(code: Int32, output: String)
    }

    /// Runs `target.process` in the container; see `runExec`. Without `ownPIDNamespace` it runs
    /// in the container's own pid namespace and sees its processes (lifecycle hooks: `kill
    /// $(cat app.pid)`); a timeout then kills the command alone.
    func execInContainer(_ target: ExecTarget, timeout: Duration, ownPIDNamespace: Bool = true) async -> ExecOutcome {
        var fds: [Int32] = [-1, -1]
        guard sl_pipe_cloexec(&fds) == 0 else { return .failedToStart("pipe: \(Errno.current)") }
        let (readEnd, writeEnd) = (fds[0], fds[1])
        let process: ExecProcess
        do {
            process = try await spawner.run {
                try Exec.start(target.location, process: target.process, seccomp: target.seccomp,
                               stdio: Stdio(input: -1, output: writeEnd, error: writeEnd), ownPIDNamespace: ownPIDNamespace)
            }
        } catch {
            close(readEnd)
            close(writeEnd)
            return .failedToStart("\(error)")
        }
        close(writeEnd)
        let output = OutputBuffer(limit: 10 * 1024)
        let done = ExitFlag()
        // The watcher closes the pipe once it has forgotten it: closed here, its number could be
        // reused (by the next probe's pidfd) before the watcher forgot it, which then dropped the
        // new fd's registration, and that probe's exit was never awaited nor reaped.
        watcher.watchOwned(readEnd) { fd in
            var buf = [UInt8](repeating: 0, count: 4096)
            let n = read(fd, &buf, buf.count)
            if n > 0 { output.append(buf[0..<n]); return true }
            if n < 0 && (errno == EINTR || errno == EAGAIN) { return true }
            done.set()
            return false
        }
        // The timer kills the probe's tree when the timeout runs out. The exit is awaited outside
        // any task group: a group awaits all its children, and the pidfd wait cannot be cancelled,
        // so a group would hold the result until the command ended by itself.
        let timedOut = ExitFlag()
        let timer = Task {
            guard (try? await Task.sleep(for: timeout)) != nil else { return }
            timedOut.set()
            process.signal(SIGKILL)
        }
        await watcher.readable(process.exitFD)
        timer.cancel()
        let status = process.wait()
        for _ in 0..<100 where !done.isSet { try? await Task.sleep(for: .milliseconds(5)) }
        if timedOut.isSet { return .timedOut }
        return .exited(code: status.shellCode, output: output.text)
    }
}

/// Collects at most `limit` bytes of a probe's output (written by the watcher thread).
final class OutputBuffer: @unchecked Sendable {
    private let lock = NSLock()
    private var bytes: [UInt8] = []
    let limit: Int
    init(limit: Int) { self.limit = limit }
    func append(_ chunk: ArraySlice<UInt8>) {
        lock.withLock { if bytes.count < limit { bytes.append(contentsOf: chunk.prefix(limit - bytes.count)) } }
    }
    var text: String { lock.withLock { String(decoding: bytes, as: UTF8.self) } }
}

final class ExitFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    func set() { lock.withLock { value = true } }
    var isSet: Bool { lock.withLock { value } }
}
