// Decodes config.json into OCISpec and validates the result. Every message names the JSON path
// of the value it is about: "config.json: process.args[0]: expected a string, got number".
//
// Each field of the OCI runtime spec (v1.2) is read into OCISpec, ignored or rejected.
// The rule: a field is ignored only when running without it cannot leave the container with
// more privilege or less isolation than the config asks for. Otherwise it is rejected, since
// silently dropping e.g. an AppArmor profile would run the container less confined than the user
// believes.
//
// Ignored:
//  - solaris, windows, zos: sections for other platforms.
//  - hook phases this runtime does not know when their list is empty; linux.uidMappings,
//    linux.gidMappings, linux.timeOffsets, mounts[].uidMappings, mounts[].gidMappings when empty.
//  - process.apparmorProfile, process.selinuxLabel, linux.mountLabel when empty, or (as runc
//    does) when the host does not run that LSM: podman sets a profile whenever it can.
//  - process.commandLine and process.user.username (Windows only).
//  - process.execCPUAffinity (CPU placement, not privilege).
//  - linux.resources.blockIO, hugepageLimits, network, rdma, unified; memory.kernel, kernelTCP,
//    swappiness, disableOOMKiller, useHierarchy, checkBeforeUpdate; cpu.burst, realtimeRuntime,
//    realtimePeriod, idle: they tune or bound resource use, they grant nothing.
//  - linux.seccomp.listenerMetadata (only meaningful with listenerPath, which is rejected).
//  - Fields the spec does not define: the spec says runtimes MUST ignore unknown properties
//    (fields of a hook entry included: they cannot change what the hook's program may do).
//    Except inside process.capabilities and linux.seccomp (and its syscalls and args), where a
//    field we do not understand could change what the process may do; there they are rejected.
//
// Rejected:
//  - vm (the config asks for hardware isolation).
//  - hook phases this runtime does not know, when they list hooks: not running a hook may leave
//    the container less isolated than asked, since a hook may be what sets it up (e.g. networking).
//  - process.apparmorProfile, process.selinuxLabel, linux.mountLabel when non-empty on a host that
//    runs AppArmor or SELinux (swiftlet cannot apply them).
//  - process.ioPriority, process.scheduler, linux.personality, linux.intelRdt when present.
//  - linux.uidMappings, linux.gidMappings, mounts[].uidMappings, mounts[].gidMappings when non-empty,
//    and the user namespace (no user namespace support).
//  - linux.timeOffsets when non-empty, and the time namespace.
//  - linux.seccomp.listenerPath, the SCMP_ACT_NOTIFY action, SECCOMP_FILTER_FLAG_NEW_LISTENER and
//    SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (no seccomp agent support).
//  - sysctls that no namespace of the container isolates.
//
// Warned about and ignored when the container starts (not here): capability names Linux does not
// have, as the runtime spec asks (SHOULD warn, SHOULD NOT fail) and runc does.

/// One problem in config.json, located by its JSON path ("process.args[0]"; "" for the document).
public struct SpecIssue: Sendable, Equatable, CustomStringConvertible {
    /// Where: "linux.namespaces[2].type".
    public let path: String
    /// What is wrong, as a sentence fragment: "unknown namespace type \"foo\"".
    public let message: String

    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    public var description: String {
        path.isEmpty ? "config.json: \(message)" : "config.json: \(path): \(message)"
    }
}

/// Why a bundle's config.json cannot be used.
public enum SpecError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file could not be read: "cannot read /b/config.json: No such file or directory".
    case unreadable(JSONFileError)
    /// The file is not valid JSON.
    case syntax(JSONParseError)
    /// The JSON is not a configuration swiftlet-runtime accepts; one issue per problem found.
    case invalid([SpecIssue])

    /// The problems found in a valid JSON document; empty for the other cases.
    public var issues: [SpecIssue] {
        if case .invalid(let issues) = self { return issues }
        return []
    }

    public var description: String {
        switch self {
        case .unreadable(let error): return error.description
        case .syntax(let e): return "config.json:\(e.line):\(e.column): invalid JSON: \(e.message)"
        case .invalid(let issues): return issues.map(\.description).joined(separator: "\n")
        }
    }
}

/// Reads config.json into an OCISpec and validates it.
public enum SpecDecoder {
    /// Parses, decodes and validates config.json's bytes.
    public static func decode(_ bytes: [UInt8]) throws(SpecError) -> OCISpec {
        let json: JSONValue
        do throws(JSONParseError) {
            json = try JSONValue.parse(bytes)
        } catch {
            throw .syntax(error)
        }
        return try decode(json)
    }

    /// Decodes and validates an already parsed config.json.
    public static func decode(_ json: JSONValue) throws(SpecError) -> OCISpec {
        let reader = SpecReader()
        let spec = reader.spec(json)
        var issues = reader.issues
        // Validating a partly decoded spec would only add noise (e.g. "args must not be empty"
        // after args turned out to be a number), so validation waits for a well-formed document.
        if !reader.isMalformed { issues += SpecValidator.issues(in: spec) }
        guard issues.isEmpty else { throw .invalid(issues) }
        return spec
    }

    /// Reads, decodes and validates `<bundle>/config.json`.
    public static func load(bundle: String) throws(SpecError) -> OCISpec {
        let path = bundle.hasSuffix("/") ? bundle + "config.json" : bundle + "/config.json"
        let bytes: [UInt8]
        do throws(JSONFileError) {
            bytes = try JSONFile.read(path)
        } catch {
            throw .unreadable(error)
        }
        return try decode(bytes)
    }
}

extension OCISpec {
    /// Checks the rules every config must follow (the checks `SpecDecoder.decode` runs after decoding).
    public func validate() throws(SpecError) {
        let issues = SpecValidator.issues(in: self)
        if !issues.isEmpty { throw .invalid(issues) }
    }
}

// MARK: - Paths

/// Builds the JSON paths that messages name: `linux.namespaces[2].type`, `annotations["a.b"]`.
enum SpecPath {
    static func member(_ base: String, _ key: String) -> String {
        if isIdentifier(key) { return base.isEmpty ? key : base + "." + key }
        return base + "[" + quoted(key) + "]"
    }

    static func index(_ base: String, _ i: Int) -> String { "\(base)[\(i)]" }

    private static func isIdentifier(_ key: String) -> Bool {
        guard let first = key.utf8.first, !(UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first) else { return false }
        return key.utf8.allSatisfy { b in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(b) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(b)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(b) || b == UInt8(ascii: "_")
        }
    }
}

/// A string as a JSON literal, so that odd characters in messages stay visible and unambiguous.
private func quoted(_ s: String) -> String { JSONValue.string(s).text() }

// MARK: - Reading

/// An object together with its path, so that members can be named in messages.
private struct Fields {
    let object: JSONObject
    let path: String

    /// The member's value; an explicit null counts as absent, as in Go's encoding/json.
    subscript(key: String) -> JSONValue? {
        guard let value = object[key] else { return nil }
        if case .null = value { return nil }
        return value
    }

    func path(_ key: String) -> String { SpecPath.member(path, key) }
}

private extension JSONValue {
    /// null, "", [] and {}: what an unsupported field may hold and still be ignored.
    var isEmptyValue: Bool {
        switch self {
        case .null: return true
        case .string(let s): return s.isEmpty
        case .array(let a): return a.isEmpty
        case .object(let o): return o.isEmpty
        case .bool, .number: return false
        }
    }
}

/// Reads JSON into OCISpec, recording each problem with its path and carrying on.
private final class SpecReader {
    private(set) var issues: [SpecIssue] = []
    /// Set when a value had the wrong type or a required field was missing: the spec is incomplete.
    private(set) var isMalformed = false

    private func reject(_ path: String, _ message: String) {
        issues.append(SpecIssue(path: path, message: message))
    }

    private func malformed(_ path: String, _ message: String) {
        isMalformed = true
        reject(path, message)
    }

    // MARK: Typed views of one value
    // Paths are built only when there is something to report: a config has hundreds of values.

    private func mismatch<T>(_ expected: String, _ value: JSONValue, _ path: String) -> T? {
        malformed(path, "expected \(expected), got \(value.typeName)")
        return nil
    }

    private func object(_ value: JSONValue, _ path: @autoclosure () -> String) -> Fields? {
        guard case .object(let object) = value else { return mismatch("an object", value, path()) }
        return Fields(object: object, path: path())
    }

    private func array(_ value: JSONValue, _ path: @autoclosure () -> String) -> [JSONValue]? {
        guard case .array(let elements) = value else { return mismatch("an array", value, path()) }
        return elements
    }

    private func string(_ value: JSONValue, _ path: @autoclosure () -> String) -> String? {
        guard case .string(var s) = value else { return mismatch("a string", value, path()) }
        // These strings reach C as paths, arguments and names; a NUL would silently cut them short.
        guard !s.withUTF8({ $0.contains(0) }) else {
            malformed(path(), "must not contain a NUL character")
            return nil
        }
        return s
    }

    private func bool(_ value: JSONValue, _ path: @autoclosure () -> String) -> Bool? {
        guard case .bool(let b) = value else { return mismatch("a boolean", value, path()) }
        return b
    }

    private func integer<T: FixedWidthInteger>(_ value: JSONValue, _ path: @autoclosure () -> String,
                                               _ type: T.Type) -> T? {
        if case .number(let n) = value, let v = n.integer(as: T.self) { return v }
        let expected = T.isSigned ? "a \(T.bitWidth)-bit integer" : "an unsigned \(T.bitWidth)-bit integer"
        malformed(path(), "expected \(expected), got \(value.numberValue?.text ?? value.typeName)")
        return nil
    }

    // MARK: Members of an object

    private func member(_ f: Fields, _ key: String, required: Bool) -> JSONValue? {
        if let value = f[key] { return value }
        if required { malformed(f.path(key), "required field is missing") }
        return nil
    }

    private func fields(_ f: Fields, _ key: String, required: Bool = false) -> Fields? {
        member(f, key, required: required).flatMap { object($0, f.path(key)) }
    }

    private func string(_ f: Fields, _ key: String, required: Bool = false) -> String? {
        member(f, key, required: required).flatMap { string($0, f.path(key)) }
    }

    private func bool(_ f: Fields, _ key: String, required: Bool = false) -> Bool? {
        member(f, key, required: required).flatMap { bool($0, f.path(key)) }
    }

    private func integer<T: FixedWidthInteger>(_ f: Fields, _ key: String, _ type: T.Type,
                                               required: Bool = false) -> T? {
        member(f, key, required: required).flatMap { integer($0, f.path(key), type) }
    }

    /// The array's elements converted by `element`, which gets the element's path lazily.
    private func list<T>(_ f: Fields, _ key: String, required: Bool = false,
                         _ element: (JSONValue, () -> String) -> T?) -> [T] {
        guard let value = member(f, key, required: required), let items = array(value, f.path(key)) else { return [] }
        var out: [T] = []
        out.reserveCapacity(items.count)
        for (i, item) in items.enumerated() {
            if let e = element(item, { SpecPath.index(f.path(key), i) }) { out.append(e) }
        }
        return out
    }

    private func strings(_ f: Fields, _ key: String, required: Bool = false) -> [String] {
        list(f, key, required: required) { value, path in string(value, path()) }
    }

    private func objects<T>(_ f: Fields, _ key: String, _ element: (Fields) -> T) -> [T] {
        list(f, key) { value, path in object(value, path()).map(element) }
    }

    private func stringMap(_ f: Fields, _ key: String) -> [String: String] {
        guard let map = fields(f, key) else { return [:] }
        var out: [String: String] = [:]
        for m in map.object.members {
            if let s = string(m.value, map.path(m.key)) { out[m.key] = s }
        }
        return out
    }

    // MARK: Refusals

    /// Rejects `key` if it is present at all.
    private func rejectPresent(_ f: Fields, _ key: String, _ message: String) {
        if f[key] != nil { reject(f.path(key), message) }
    }

    /// Rejects `key` unless it is absent or empty (null, "", [], {}).
    private func rejectNonEmpty(_ f: Fields, _ key: String, _ message: String) {
        if let value = f[key], !value.isEmptyValue { reject(f.path(key), message) }
    }

    // The complete key sets of the objects where unknown keys are refused.
    private static let capabilityKeys: Set<String> = ["bounding", "effective", "inheritable", "permitted", "ambient"]
    private static let seccompKeys: Set<String> = [
        "defaultAction", "defaultErrnoRet", "architectures", "flags", "listenerPath", "listenerMetadata", "syscalls",
    ]
    private static let syscallRuleKeys: Set<String> = ["names", "action", "errnoRet", "args"]
    private static let syscallArgKeys: Set<String> = ["index", "value", "valueTwo", "op"]

    /// Rejects keys not in `known`, for objects where an ignored key could weaken security.
    private func rejectUnknown(_ f: Fields, known: Set<String>) {
        for member in f.object.members where !known.contains(member.key) {
            reject(f.path(member.key), "unknown field; swiftlet-runtime refuses fields it does not know in "
                + "security settings rather than ignoring them")
        }
    }

    // MARK: The spec

    func spec(_ json: JSONValue) -> OCISpec {
        var spec = OCISpec()
        guard let top = object(json, "") else { return spec }
        rejectPresent(top, "vm", "running containers in virtual machines is not supported by swiftlet-runtime; remove the field")
        spec.ociVersion = string(top, "ociVersion", required: true) ?? ""
        spec.process = fields(top, "process").map(process)
        spec.root = fields(top, "root").map(root)
        spec.hostname = string(top, "hostname")
        spec.domainname = string(top, "domainname")
        spec.mounts = objects(top, "mounts", mount)
        spec.linux = fields(top, "linux").map(linux)
        spec.annotations = stringMap(top, "annotations")
        spec.hooks = fields(top, "hooks").map(hooks) ?? OCISpec.Hooks()
        return spec
    }

    // MARK: hooks

    private static let hookPhases = ["prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop"]

    private func hooks(_ f: Fields) -> OCISpec.Hooks {
        for m in f.object.members where !Self.hookPhases.contains(m.key) && !m.value.isEmptyValue {
            reject(f.path(m.key), "unknown hook phase; swiftlet-runtime runs "
                + Self.hookPhases.joined(separator: ", ") + " hooks and refuses others rather than skip them")
        }
        return OCISpec.Hooks(prestart: objects(f, "prestart", hook), createRuntime: objects(f, "createRuntime", hook),
                             createContainer: objects(f, "createContainer", hook),
                             startContainer: objects(f, "startContainer", hook),
                             poststart: objects(f, "poststart", hook), poststop: objects(f, "poststop", hook))
    }

    private func hook(_ f: Fields) -> OCISpec.Hook {
        OCISpec.Hook(path: string(f, "path", required: true) ?? "", args: strings(f, "args"), env: strings(f, "env"),
                     timeout: integer(f, "timeout", Int.self))
    }

    private func root(_ f: Fields) -> OCISpec.Root {
        OCISpec.Root(path: string(f, "path", required: true) ?? "", readonly: bool(f, "readonly") ?? false)
    }

    private func mount(_ f: Fields) -> OCISpec.Mount {
        for key in ["uidMappings", "gidMappings"] {
            rejectNonEmpty(f, key, "id-mapped mounts are not supported by swiftlet-runtime; remove the mappings")
        }
        return OCISpec.Mount(destination: string(f, "destination", required: true) ?? "",
                             type: string(f, "type"), source: string(f, "source"),
                             options: strings(f, "options"))
    }

    // MARK: process

    private func process(_ f: Fields) -> OCISpec.Process {
        // runc's rule: a label for an LSM the host does not run is ignored (nothing on this host
        // could enforce it); one the host runs is refused, since swiftlet cannot apply it.
        if HostLSM.appArmor {
            rejectNonEmpty(f, "apparmorProfile", "AppArmor is enabled on this host and swiftlet-runtime cannot apply profiles; remove the field")
        }
        if HostLSM.seLinux {
            rejectNonEmpty(f, "selinuxLabel", "SELinux is enabled on this host and swiftlet-runtime cannot apply labels; remove the field")
        }
        rejectPresent(f, "ioPriority", "I/O priorities are not supported by swiftlet-runtime; remove the field")
        rejectPresent(f, "scheduler", "scheduling policies are not supported by swiftlet-runtime; remove the field")
        var p = OCISpec.Process(args: strings(f, "args"))
        p.terminal = bool(f, "terminal") ?? false
        p.consoleSize = fields(f, "consoleSize").map(consoleSize)
        p.user = fields(f, "user", required: true).map(user) ?? OCISpec.User()
        p.env = strings(f, "env")
        p.cwd = string(f, "cwd", required: true) ?? "/"
        p.capabilities = fields(f, "capabilities").map(capabilities)
        p.rlimits = objects(f, "rlimits", rlimit)
        p.noNewPrivileges = bool(f, "noNewPrivileges") ?? false
        p.oomScoreAdj = integer(f, "oomScoreAdj", Int.self)
        return p
    }

    private func consoleSize(_ f: Fields) -> OCISpec.ConsoleSize {
        OCISpec.ConsoleSize(height: integer(f, "height", UInt32.self, required: true) ?? 0,
                            width: integer(f, "width", UInt32.self, required: true) ?? 0)
    }

    private func user(_ f: Fields) -> OCISpec.User {
        OCISpec.User(uid: integer(f, "uid", UInt32.self, required: true) ?? 0,
                     gid: integer(f, "gid", UInt32.self, required: true) ?? 0,
                     umask: integer(f, "umask", UInt32.self),
                     additionalGids: list(f, "additionalGids") { value, path in integer(value, path(), UInt32.self) })
    }

    private func capabilities(_ f: Fields) -> OCISpec.Capabilities {
        rejectUnknown(f, known: Self.capabilityKeys)
        return OCISpec.Capabilities(bounding: strings(f, "bounding"), effective: strings(f, "effective"),
                                    inheritable: strings(f, "inheritable"), permitted: strings(f, "permitted"),
                                    ambient: strings(f, "ambient"))
    }

    private func rlimit(_ f: Fields) -> OCISpec.Rlimit {
        OCISpec.Rlimit(type: string(f, "type", required: true) ?? "",
                       soft: integer(f, "soft", UInt64.self, required: true) ?? 0,
                       hard: integer(f, "hard", UInt64.self, required: true) ?? 0)
    }

    // MARK: linux

    private func linux(_ f: Fields) -> OCISpec.Linux {
        for key in ["uidMappings", "gidMappings"] {
            rejectNonEmpty(f, key, "user namespaces are not supported by swiftlet-runtime; remove the mappings")
        }
        rejectNonEmpty(f, "timeOffsets", "time namespaces are not supported by swiftlet-runtime; remove the field")
        if HostLSM.seLinux {
            rejectNonEmpty(f, "mountLabel", "SELinux is enabled on this host and swiftlet-runtime cannot apply labels; remove the field")
        }
        rejectPresent(f, "personality", "personality domains are not supported by swiftlet-runtime; remove the field")
        rejectPresent(f, "intelRdt", "Intel RDT is not supported by swiftlet-runtime; remove the field")
        return OCISpec.Linux(
            namespaces: objects(f, "namespaces") { n in
                OCISpec.Namespace(type: string(n, "type", required: true) ?? "", path: string(n, "path"))
            },
            resources: fields(f, "resources").map(resources),
            cgroupsPath: string(f, "cgroupsPath"),
            devices: objects(f, "devices", device),
            seccomp: fields(f, "seccomp").map(seccomp),
            maskedPaths: strings(f, "maskedPaths"),
            readonlyPaths: strings(f, "readonlyPaths"),
            rootfsPropagation: string(f, "rootfsPropagation"),
            sysctl: stringMap(f, "sysctl"))
    }

    private func device(_ f: Fields) -> OCISpec.Device {
        let type = string(f, "type", required: true) ?? ""
        let numbered = type != "p"  // FIFOs have no device numbers
        return OCISpec.Device(type: type, path: string(f, "path", required: true) ?? "",
                              major: integer(f, "major", Int64.self, required: numbered) ?? 0,
                              minor: integer(f, "minor", Int64.self, required: numbered) ?? 0,
                              fileMode: integer(f, "fileMode", UInt32.self),
                              uid: integer(f, "uid", UInt32.self), gid: integer(f, "gid", UInt32.self))
    }

    private func resources(_ f: Fields) -> OCISpec.Resources {
        OCISpec.Resources(
            devices: objects(f, "devices") { d in
                OCISpec.DeviceCgroupRule(allow: bool(d, "allow", required: true) ?? false, type: string(d, "type"),
                                         major: integer(d, "major", Int64.self), minor: integer(d, "minor", Int64.self),
                                         access: string(d, "access"))
            },
            memory: fields(f, "memory").map { m in
                OCISpec.Memory(limit: integer(m, "limit", Int64.self), reservation: integer(m, "reservation", Int64.self),
                               swap: integer(m, "swap", Int64.self))
            },
            cpu: fields(f, "cpu").map { c in
                OCISpec.CPU(shares: integer(c, "shares", UInt64.self), quota: integer(c, "quota", Int64.self),
                            period: integer(c, "period", UInt64.self), cpus: string(c, "cpus"), mems: string(c, "mems"))
            },
            pids: fields(f, "pids").map { p in OCISpec.Pids(limit: integer(p, "limit", Int64.self, required: true) ?? 0) })
    }

    private func seccomp(_ f: Fields) -> OCISpec.Seccomp {
        rejectUnknown(f, known: Self.seccompKeys)
        rejectNonEmpty(f, "listenerPath", "seccomp agents are not supported by swiftlet-runtime; remove the field")
        return OCISpec.Seccomp(defaultAction: string(f, "defaultAction", required: true) ?? "",
                               defaultErrnoRet: integer(f, "defaultErrnoRet", UInt32.self),
                               architectures: strings(f, "architectures"), flags: strings(f, "flags"),
                               syscalls: objects(f, "syscalls", syscallRule))
    }

    private func syscallRule(_ f: Fields) -> OCISpec.SyscallRule {
        rejectUnknown(f, known: Self.syscallRuleKeys)
        return OCISpec.SyscallRule(names: strings(f, "names", required: true),
                                   action: string(f, "action", required: true) ?? "",
                                   errnoRet: integer(f, "errnoRet", UInt32.self),
                                   args: objects(f, "args", syscallArg))
    }

    private func syscallArg(_ f: Fields) -> OCISpec.SyscallArg {
        rejectUnknown(f, known: Self.syscallArgKeys)
        return OCISpec.SyscallArg(index: integer(f, "index", UInt32.self, required: true) ?? 0,
                                  value: integer(f, "value", UInt64.self, required: true) ?? 0,
                                  valueTwo: integer(f, "valueTwo", UInt64.self) ?? 0,
                                  op: string(f, "op", required: true) ?? "")
    }
}

// MARK: - Validation

/// The rules a decoded spec must follow, beyond JSON types. Every issue names the value's JSON path.
private struct SpecValidator {
    private(set) var issues: [SpecIssue] = []

    static func issues(in spec: OCISpec) -> [SpecIssue] {
        var validator = SpecValidator()
        validator.check(spec)
        return validator.issues
    }

    private mutating func fail(_ path: String, _ message: String) {
        issues.append(SpecIssue(path: path, message: message))
    }

    private mutating func requireAbsolute(_ path: String, at jsonPath: @autoclosure () -> String) {
        if !path.hasPrefix("/") { fail(jsonPath(), "must be an absolute path, got \(quoted(path))") }
    }

    private mutating func check(_ spec: OCISpec) {
        if !spec.ociVersion.hasPrefix("1.") {
            fail("ociVersion", "unsupported version \(quoted(spec.ociVersion)); swiftlet-runtime reads 1.x configs")
        }
        if let root = spec.root {
            if root.path.isEmpty { fail("root.path", "must not be empty") }
        } else {
            fail("root", "required field is missing")
        }
        if let process = spec.process { check(process) } else { fail("process", "required field is missing") }

        let namespaces = Set((spec.linux?.namespaces ?? []).map(\.type))
        if !namespaces.contains("mount") {
            fail("linux.namespaces", "a mount namespace is required: swiftlet-runtime always pivots into the container's root")
        }
        for (field, value) in [("hostname", spec.hostname), ("domainname", spec.domainname)] {
            if let value, !value.isEmpty, !namespaces.contains("uts") {
                fail(field, "setting it needs a uts namespace in linux.namespaces")
            }
        }
        for (i, mount) in spec.mounts.enumerated() {
            requireAbsolute(mount.destination, at: SpecPath.index("mounts", i) + ".destination")
        }
        if let linux = spec.linux { check(linux, namespaces: namespaces) }
        check(spec.hooks)
    }

    // MARK: hooks

    private mutating func check(_ hooks: OCISpec.Hooks) {
        for (phase, list) in hooks.phases {
            for (i, hook) in list.enumerated() {
                let path = { SpecPath.index("hooks." + phase, i) }
                // The spec extends execv: the path MUST be absolute; there is no PATH search.
                requireAbsolute(hook.path, at: path() + ".path")
                if let timeout = hook.timeout, timeout <= 0 {
                    fail(path() + ".timeout", "must be greater than 0 (seconds), got \(timeout)")
                }
                for (j, entry) in hook.env.enumerated() where entry.firstIndex(of: "=") == nil || entry.hasPrefix("=") {
                    fail(SpecPath.index(path() + ".env", j), "expected NAME=value, got \(quoted(entry))")
                }
            }
        }
    }

    // MARK: process

    private mutating func check(_ p: OCISpec.Process) {
        if p.args.isEmpty {
            fail("process.args", "must not be empty")
        } else if p.args[0].isEmpty {
            fail("process.args[0]", "must not be empty")
        }
        requireAbsolute(p.cwd, at: "process.cwd")
        for (i, entry) in p.env.enumerated() {
            if entry.firstIndex(of: "=") == nil || entry.hasPrefix("=") {
                fail(SpecPath.index("process.env", i), "expected NAME=value, got \(quoted(entry))")
            }
        }
        if let umask = p.user.umask, umask > 0o777 {
            fail("process.user.umask", "must be at most 511 (0777), got \(umask)")
        }
        // Unknown capability names are not refused here: the planner ignores them with a warning
        // (runtime-spec: a runtime SHOULD log a warning and SHOULD NOT fail).
        var seen = Set<String>()
        for (i, rlimit) in p.rlimits.enumerated() {
            let path = { SpecPath.index("process.rlimits", i) }
            if !SpecNames.rlimitSet.contains(rlimit.type) {
                fail(path() + ".type", "unknown rlimit \(quoted(rlimit.type))")
            } else if !seen.insert(rlimit.type).inserted {
                fail(path() + ".type", "duplicate rlimit \(quoted(rlimit.type))")
            }
            if rlimit.soft > rlimit.hard {
                fail(path(), "soft limit \(rlimit.soft) is greater than hard limit \(rlimit.hard)")
            }
        }
        if let score = p.oomScoreAdj, !(-1000...1000).contains(score) {
            fail("process.oomScoreAdj", "must be between -1000 and 1000, got \(score)")
        }
    }

    // MARK: linux

    private mutating func check(_ linux: OCISpec.Linux, namespaces: Set<String>) {
        var seen = Set<String>()
        for (i, ns) in linux.namespaces.enumerated() {
            let path = { SpecPath.index("linux.namespaces", i) }
            switch ns.type {
            case "user": fail(path() + ".type", "user namespaces are not supported by swiftlet-runtime")
            case "time": fail(path() + ".type", "time namespaces are not supported by swiftlet-runtime")
            case _ where SpecNames.namespaces.contains(ns.type):
                if !seen.insert(ns.type).inserted { fail(path() + ".type", "duplicate namespace type \(quoted(ns.type))") }
            default:
                fail(path() + ".type", "unknown namespace type \(quoted(ns.type)); expected one of "
                    + SpecNames.namespaces.joined(separator: ", "))
            }
            if let nsPath = ns.path { requireAbsolute(nsPath, at: path() + ".path") }
        }
        for (i, device) in linux.devices.enumerated() {
            let path = { SpecPath.index("linux.devices", i) }
            if !["c", "b", "u", "p"].contains(device.type) {
                fail(path() + ".type", "unknown device type \(quoted(device.type)); expected c, b, u or p")
            }
            requireAbsolute(device.path, at: path() + ".path")
            if device.major < 0 { fail(path() + ".major", "must not be negative, got \(device.major)") }
            if device.minor < 0 { fail(path() + ".minor", "must not be negative, got \(device.minor)") }
        }
        if let resources = linux.resources { check(resources) }
        if let seccomp = linux.seccomp { check(seccomp) }
        for (i, path) in linux.maskedPaths.enumerated() {
            requireAbsolute(path, at: SpecPath.index("linux.maskedPaths", i))
        }
        for (i, path) in linux.readonlyPaths.enumerated() {
            requireAbsolute(path, at: SpecPath.index("linux.readonlyPaths", i))
        }
        if let propagation = linux.rootfsPropagation, !SpecNames.propagations.contains(propagation) {
            fail("linux.rootfsPropagation", "unknown propagation \(quoted(propagation)); expected one of "
                + SpecNames.propagations.joined(separator: ", "))
        }
        if let cgroupsPath = linux.cgroupsPath, cgroupsPath.split(separator: "/").contains("..") {
            fail("linux.cgroupsPath", "must not contain \"..\", got \(quoted(cgroupsPath))")
        }
        for key in linux.sysctl.keys.sorted() {
            checkSysctl(key, namespaces: namespaces)
        }
    }

    private mutating func check(_ resources: OCISpec.Resources) {
        for (i, rule) in resources.devices.enumerated() {
            let path = { SpecPath.index("linux.resources.devices", i) }
            if let type = rule.type, !["a", "b", "c"].contains(type) {
                fail(path() + ".type", "unknown device type \(quoted(type)); expected a, b or c")
            }
            if let access = rule.access, access.isEmpty || !access.allSatisfy({ "rwm".contains($0) }) {
                fail(path() + ".access", "expected a combination of r, w and m, got \(quoted(access))")
            }
            if let major = rule.major, major < 0 { fail(path() + ".major", "must not be negative (omit it to match any), got \(major)") }
            if let minor = rule.minor, minor < 0 { fail(path() + ".minor", "must not be negative (omit it to match any), got \(minor)") }
        }
        if let memory = resources.memory {
            for (field, value) in [("limit", memory.limit), ("reservation", memory.reservation), ("swap", memory.swap)] {
                if let value, value < -1 {
                    fail("linux.resources.memory." + field, "must be -1 (unlimited) or a number of bytes, got \(value)")
                }
            }
            if let limit = memory.limit, let swap = memory.swap, limit > 0, swap > 0, swap < limit {
                fail("linux.resources.memory.swap", "memory+swap limit \(swap) is smaller than the memory limit \(limit)")
            }
        }
    }

    private mutating func check(_ seccomp: OCISpec.Seccomp) {
        checkAction(seccomp.defaultAction, at: "linux.seccomp.defaultAction")
        for (i, arch) in seccomp.architectures.enumerated() where !SpecNames.seccompArchitectures.contains(arch) {
            fail(SpecPath.index("linux.seccomp.architectures", i), "unknown architecture \(quoted(arch))")
        }
        for (i, flag) in seccomp.flags.enumerated() {
            let path = { SpecPath.index("linux.seccomp.flags", i) }
            switch flag {
            case "SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW":
                break
            case "SECCOMP_FILTER_FLAG_NEW_LISTENER", "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV":
                fail(path(), "\(flag) needs a seccomp agent, which swiftlet-runtime does not support")
            default:
                fail(path(), "unknown flag \(quoted(flag)); expected SECCOMP_FILTER_FLAG_LOG, "
                    + "SECCOMP_FILTER_FLAG_SPEC_ALLOW or SECCOMP_FILTER_FLAG_TSYNC")
            }
        }
        for (i, rule) in seccomp.syscalls.enumerated() {
            let path = { SpecPath.index("linux.seccomp.syscalls", i) }
            if rule.names.isEmpty { fail(path() + ".names", "must not be empty") }
            for (j, name) in rule.names.enumerated() where name.isEmpty {
                fail(SpecPath.index(path() + ".names", j), "must not be empty")
            }
            checkAction(rule.action, at: path() + ".action")
            for (j, arg) in rule.args.enumerated() {
                let argPath = { SpecPath.index(path() + ".args", j) }
                if arg.index > 5 {
                    fail(argPath() + ".index", "must be 0 to 5 (a syscall has six arguments), got \(arg.index)")
                }
                if !SpecNames.seccompOperators.contains(arg.op) {
                    fail(argPath() + ".op", "unknown operator \(quoted(arg.op)); expected one of "
                        + SpecNames.seccompOperators.joined(separator: ", "))
                }
            }
        }
    }

    private mutating func checkAction(_ action: String, at path: @autoclosure () -> String) {
        if action == "SCMP_ACT_NOTIFY" {
            fail(path(), "SCMP_ACT_NOTIFY needs a seccomp agent, which swiftlet-runtime does not support")
        } else if !SpecNames.seccompActions.contains(action) {
            fail(path(), "unknown seccomp action \(quoted(action)); expected one of "
                + SpecNames.seccompActions.joined(separator: ", "))
        }
    }

    /// A sysctl is written inside the container, so it must be one that a namespace of the
    /// container isolates; anything else would change the host.
    private mutating func checkSysctl(_ key: String, namespaces: Set<String>) {
        let path = SpecPath.member("linux.sysctl", key)
        // The key becomes a path under /proc/sys: no empty components, no '/', hence no "..".
        let components = key.split(separator: ".", omittingEmptySubsequences: false)
        guard components.count >= 2, components.allSatisfy({ !$0.isEmpty && !$0.contains("/") }) else {
            return fail(path, "invalid sysctl name; expected dot-separated names such as net.ipv4.ip_forward")
        }
        if key == "kernel.hostname" || key == "kernel.domainname" {
            return fail(path, "set the top-level \(key.dropFirst("kernel.".count)) field instead")
        }
        guard let namespace = SpecNames.sysctlNamespace(key) else {
            return fail(path, "this sysctl is not isolated by any namespace; setting it would change the host")
        }
        if !namespaces.contains(namespace) {
            fail(path, "setting it needs a \(namespace) namespace in linux.namespaces")
        }
    }
}

// MARK: - Names Linux and libseccomp know

enum SpecNames {
    /// Namespace types swiftlet supports (user and time are rejected separately).
    static let namespaces = ["cgroup", "ipc", "mount", "network", "pid", "uts"]

    /// RLIMIT_* names; the index is the resource number (asm-generic/resource.h).
    static let rlimits = [
        "RLIMIT_CPU", "RLIMIT_FSIZE", "RLIMIT_DATA", "RLIMIT_STACK", "RLIMIT_CORE", "RLIMIT_RSS",
        "RLIMIT_NPROC", "RLIMIT_NOFILE", "RLIMIT_MEMLOCK", "RLIMIT_AS", "RLIMIT_LOCKS",
        "RLIMIT_SIGPENDING", "RLIMIT_MSGQUEUE", "RLIMIT_NICE", "RLIMIT_RTPRIO", "RLIMIT_RTTIME",
    ]
    static let rlimitSet = Set(rlimits)

    /// CAP_* names; the index is the capability number (linux/capability.h).
    static let capabilities = [
        "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL",
        "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE",
        "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER",
        "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE", "CAP_SYS_PACCT",
        "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE", "CAP_SYS_RESOURCE", "CAP_SYS_TIME",
        "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE", "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL",
        "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM",
        "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE",
    ]
    static let capabilitySet = Set(capabilities)

    static let seccompActions = [
        "SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_TRAP",
        "SCMP_ACT_ERRNO", "SCMP_ACT_TRACE", "SCMP_ACT_ALLOW", "SCMP_ACT_LOG",
    ]

    static let seccompOperators = [
        "SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE", "SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT",
        "SCMP_CMP_MASKED_EQ",
    ]

    /// The spec's list plus the architectures newer libseccomp releases added.
    static let seccompArchitectures: Set<String> = [
        "SCMP_ARCH_X86", "SCMP_ARCH_X86_64", "SCMP_ARCH_X32", "SCMP_ARCH_ARM", "SCMP_ARCH_AARCH64",
        "SCMP_ARCH_MIPS", "SCMP_ARCH_MIPS64", "SCMP_ARCH_MIPS64N32", "SCMP_ARCH_MIPSEL",
        "SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC", "SCMP_ARCH_PPC64",
        "SCMP_ARCH_PPC64LE", "SCMP_ARCH_S390", "SCMP_ARCH_S390X", "SCMP_ARCH_PARISC",
        "SCMP_ARCH_PARISC64", "SCMP_ARCH_RISCV64", "SCMP_ARCH_LOONGARCH64", "SCMP_ARCH_M68K",
        "SCMP_ARCH_SH", "SCMP_ARCH_SHEB",
    ]

    static let propagations = [
        "private", "rprivate", "slave", "rslave", "shared", "rshared", "unbindable", "runbindable",
    ]

    /// The IPC namespace's sysctls besides fs.mqueue.* (ipc/ipc_sysctl.c).
    private static let ipcSysctls: Set<String> = [
        "kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem", "kernel.shmall",
        "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced",
    ]

    /// The namespace that isolates a sysctl, or nil when the sysctl is global to the host.
    static func sysctlNamespace(_ key: String) -> String? {
        if key.hasPrefix("net.") { return "network" }
        if key.hasPrefix("fs.mqueue.") || ipcSysctls.contains(key) { return "ipc" }
        return nil
    }
}
