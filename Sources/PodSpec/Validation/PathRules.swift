/// Rules for filesystem paths given in a pod file, and lexical path arithmetic.
enum PathRules {
    /// An absolute path without `..` elements, as mount targets and hostPaths must be: the
    /// runtime resolves them inside a root it must not leave.
    static func absoluteWithoutBacksteps(_ path: String) -> [String] {
        var errors: [String] = []
        if !path.hasPrefix("/") { errors.append("must be an absolute path") }
        errors += noBacksteps(path)
        return errors
    }

    /// Kubernetes' `validateLocalDescendingPath`: relative, without `..`.
    static func relativeWithoutBacksteps(_ path: String) -> [String] {
        var errors: [String] = []
        if path.hasPrefix("/") { errors.append("must be a relative path") }
        errors += noBacksteps(path)
        return errors
    }

    static func noBacksteps(_ path: String) -> [String] {
        path.split(separator: "/").contains("..") ? ["must not contain '..'"] : []
    }

    /// `path` resolved against `directory` when relative, then cleaned as Go's `path.Clean` does.
    static func resolve(_ path: String, against directory: String) -> String {
        clean(path.hasPrefix("/") ? path : directory + "/" + path)
    }

    static func clean(_ path: String) -> String {
        let isAbsolute = path.hasPrefix("/")
        var parts: [Substring] = []
        for part in path.split(separator: "/") where part != "." {
            if part == "..", let last = parts.last, last != ".." {
                parts.removeLast()
            } else if part == "..", isAbsolute {
                continue
            } else {
                parts.append(part)
            }
        }
        let joined = parts.joined(separator: "/")
        if isAbsolute { return "/" + joined }
        return joined.isEmpty ? "." : joined
    }

    /// The directory part of a path, `.` when there is none.
    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }
}
