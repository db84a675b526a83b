import ContainerRuntime
import Foundation
import PodSpec

/// `terminationMessagePath` and `terminationMessagePolicy`, as the kubelet has them
/// (kuberuntime_container.go `makeMounts`, `getTerminationMessage`,
/// `readLastStringFromContainerLogs`): each instance gets an empty file of its own, mode 0666 so
/// any user of the container can write it, bind-mounted at the path; after the exit its last
/// 4096 bytes become `state.terminated.message`. With FallbackToLogsOnError, a failed container
/// that left the file empty gets the end of its log instead: the last 80 lines, at most 2048
/// bytes of them.
enum TerminationMessage {
    static let maxFileBytes = 4096
    static let maxLogLines = 80
    static let maxLogBytes = 2048

    /// The instance's file, next to its overlay layer (removed with it).
    static func hostPath(_ files: InstanceFiles) -> String { files.layer + "/termination-log" }

    /// Makes the empty file; on the spawn thread, with the instance's other files.
    static func createFile(_ files: InstanceFiles) throws {
        let path = hostPath(files)
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0o666)
        guard fd >= 0 else { throw SupervisorError("termination message file \(path): \(Errno.current)") }
        // Whatever the umask: the container's user may be anyone.
        fchmod(fd, 0o666)
        close(fd)
    }

    /// The bind mount, after the container's own mounts as the kubelet appends it.
    static func withMount(_ spec: OCISpec, container: PodSpec.Container, files: InstanceFiles) -> OCISpec {
        var spec = spec
        spec.mounts.append(OCISpec.Mount(destination: container.terminationMessagePath, type: "bind",
                                         source: hostPath(files), options: ["rbind", "rprivate"]))
        return spec
    }

    /// The message of an instance that ended with `exitCode`: the file's end, else (policy
    /// FallbackToLogsOnError, a non-zero exit, an empty file) the log's end; nil when empty.
    /// The file is read on the host side of the mount, never through a path in the container,
    /// and not followed if it is a symlink.
    static func read(_ files: InstanceFiles, policy: TerminationMessagePolicy, exitCode: Int32) -> String? {
        let fallback = policy == .fallbackToLogsOnError && exitCode != 0
        var message = ""
        switch tail(of: hostPath(files), maxBytes: maxFileBytes) {
        case .success(let bytes): message = String(decoding: bytes, as: UTF8.self)
        case .failure(let error) where error.rawValue != ENOENT:
            return "Error on reading termination log \(hostPath(files)): \(error)"
        case .failure: break
        }
        if message.isEmpty && fallback { message = logTail(files.logPath) }
        return message.isEmpty ? nil : message
    }

    /// The last `maxLogLines` entries of a CRI log file, their text joined as `kubectl logs`
    /// prints it, cut to the last `maxLogBytes`.
    static func logTail(_ path: String) -> String {
        guard case .success(let bytes) = tail(of: path, maxBytes: 1 << 20) else { return "" }
        var lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true)
        if lines.count > maxLogLines { lines = lines.suffix(maxLogLines) }
        var text: [UInt8] = []
        for line in lines {
            // <RFC3339Nano> <stdout|stderr> <F|P> <text>
            let fields = line.split(separator: UInt8(ascii: " "), maxSplits: 3, omittingEmptySubsequences: false)
            guard fields.count >= 3 else { continue }
            if fields.count == 4 { text.append(contentsOf: fields[3]) }
            if fields[2].elementsEqual("F".utf8) { text.append(UInt8(ascii: "\n")) }
        }
        return String(decoding: text.suffix(maxLogBytes), as: UTF8.self)
    }

    /// At most the last `maxBytes` of a regular file (tail.ReadAtMost).
    static func tail(of path: String, maxBytes: Int) -> Result<[UInt8], Errno> {
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { return .failure(Errno.current) }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { return .failure(Errno.current) }
        guard (st.st_mode & S_IFMT) == S_IFREG else { return .failure(Errno(EINVAL)) }
        let start = max(0, Int(st.st_size) - maxBytes)
        var bytes = [UInt8](repeating: 0, count: Int(st.st_size) - start)
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + done, $0.count - done, off_t(start + done)) }
            if n < 0 && errno == EINTR { continue }
            if n < 0 { return .failure(Errno.current) }
            if n == 0 { break }
            done += n
        }
        return .success(Array(bytes.prefix(done)))
    }
}

extension PodController {
    /// Read on the disk thread once the instance has ended (the keeper has drained its log).
    func terminationMessage(_ pod: PodState, _ name: String, _ instance: Instance, _ exit: InstanceExit) async -> String? {
        guard !exit.unknown, let spec = pod.pod.spec.anyContainer(named: name) else { return nil }
        let files = InstanceFiles(store: store, pod: pod.name, container: name, number: instance.number)
        let policy = spec.terminationMessagePolicy, code = exit.status.shellCode
        return await disk.run { TerminationMessage.read(files, policy: policy, exitCode: code) }
    }

    /// The kubelet joins a runtime's message and the container's with ": ".
    static func joinMessages(_ first: String?, _ second: String?) -> String? {
        switch (first, second) {
        case (let a?, let b?): "\(a): \(b)"
        case (let a?, nil): a
        case (nil, let b?): b
        case (nil, nil): nil
        }
    }

    /// After a failed postStart hook, the container waits to restart as `PostStartHookError` with
    /// the hook's message (the kubelet's reason cache), until a back-off says CrashLoopBackOff.
    func waitAfterPostStartFailure(_ pod: PodState, _ name: String, _ instance: Instance) {
        guard instance.killReason == .postStartHook, let message = pod.postStartFailures.removeValue(forKey: name) else { return }
        pod.update(name) { c in
            if case .terminated(let t) = c.state { c.lastState = .terminated(t) }
            c.state = .waiting(reason: "PostStartHookError", message: message)
        }
    }
}
