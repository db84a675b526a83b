import Glibc

/// Every failure of the cgroup layer, as a sentence that names the path and the errno text.
public enum CgroupError: Error, CustomStringConvertible, Sendable, Equatable {
    /// Neither cgroup2 nor a v1 controller hierarchy is mounted.
    case notMounted
    case read(path: String, errno: Int32)
    case malformed(path: String, detail: String)
    case invalidName(String, reason: String)
    case invalidResource(String)
    /// A resource was requested whose controller this host does not offer.
    case controllerMissing(controller: String, needed: String)
    case create(path: String, errno: Int32)
    case open(path: String, errno: Int32)
    /// Writing `value` to `file` in cgroup `dir` failed.
    case write(file: String, value: String, dir: String, errno: Int32)
    /// The cgroup already exists and has processes: it belongs to something else.
    case notEmpty(path: String)
    case remove(path: String, errno: Int32)
    case deviceProgram(path: String, errno: Int32)

    public var description: String {
        switch self {
        case .notMounted:
            return "no cgroup filesystem is mounted (neither cgroup2 nor a v1 controller in /proc/self/mountinfo)"
        case let .read(path, e):
            return "cannot read \(path): \(errnoText(e))"
        case let .malformed(path, detail):
            return "cannot parse \(path): \(detail)"
        case let .invalidName(name, reason):
            return "invalid cgroup name \"\(name)\": \(reason)"
        case let .invalidResource(detail):
            return "invalid cgroup resources: \(detail)"
        case let .controllerMissing(controller, needed):
            return "\(needed) needs the \(controller) cgroup controller, which this host does not provide"
        case let .create(path, e):
            return "cannot create cgroup \(path): \(errnoText(e))"
        case let .open(path, e):
            return "cannot open \(path): \(errnoText(e))"
        case let .write(file, value, dir, e):
            return "cannot set \(file) to \(value) in \(dir): \(errnoText(e))"
        case let .notEmpty(path):
            return "cgroup \(path) already exists and has processes in it"
        case let .remove(path, e):
            return "cannot remove cgroup \(path): \(errnoText(e))"
        case let .deviceProgram(path, e):
            return "cannot attach the device access BPF program to \(path): \(errnoText(e))"
        }
    }
}

extension CgroupError {
    /// The errno behind the error, 0 when there is none.
    public var errno: Int32 {
        switch self {
        case let .read(_, e), let .create(_, e), let .open(_, e), let .write(_, _, _, e),
             let .remove(_, e), let .deviceProgram(_, e):
            return e
        case .notMounted, .malformed, .invalidName, .invalidResource, .controllerMissing, .notEmpty:
            return 0
        }
    }
}

/// strerror text, e.g. "Device or resource busy".
func errnoText(_ e: Int32) -> String {
    guard let text = strerror(e) else { return "errno \(e)" }
    return String(cString: text)
}
