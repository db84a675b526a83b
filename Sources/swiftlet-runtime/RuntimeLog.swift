import ContainerRuntime
#if canImport(Glibc)
import Glibc
#endif

/// `--log FILE` with `--log-format text|json`, as runc writes it. The file is created on every
/// call, even a successful one: containerd's shim reads it after a failure and reports "unable to
/// retrieve OCI runtime error" when it is missing. Without `--log` nothing is logged but errors,
/// which go to stderr anyway.
enum RuntimeLog {
    nonisolated(unsafe) private static var fd: Int32 = -1
    nonisolated(unsafe) private static var json = false
    nonisolated(unsafe) private static var debugOn = false

    static var isOpen: Bool { fd >= 0 }

    static func open(_ flags: GlobalFlags) {
        json = flags.logFormat == "json"
        debugOn = flags.debug
        guard let path = flags.log else { return }
        fd = Glibc.open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        if fd < 0 { writeStderr("swiftlet-runtime: opening the log file \(path) failed: \(Errno.current)\n") }
    }

    static func debug(_ message: @autoclosure () -> String) {
        if debugOn { write(level: "debug", message()) }
    }

    static func write(level: String, _ message: String) {
        guard fd >= 0 else { return }
        let time = Timestamp.now()
        let line: String
        if json {
            let object: JSONValue = .object(["level": .string(level), "msg": .string(message), "time": .string(time)])
            line = object.text(pretty: false) + "\n"
        } else {
            line = "time=\"\(time)\" level=\(level) msg=\(JSONValue.string(message).text(pretty: false))\n"
        }
        swiftlet_runtime.write(all: Array(line.utf8), to: fd)
    }
}
