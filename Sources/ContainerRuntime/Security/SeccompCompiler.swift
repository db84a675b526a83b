// Compiles linux.seccomp into the classic BPF program the child loads right before execve.
// The semantics follow runc: names libseccomp does not know are skipped, rules whose action is
// the default action are no-ops, and several conditions on one argument become separate rules.
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CShims
import Synchronization

public struct SeccompError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// A compiled filter: `count` struct sock_filter instructions owned by this value, loaded with
/// seccomp(SECCOMP_SET_MODE_FILTER, flags).
public struct SeccompProgram: Sendable {
    public let count: UInt32
    /// SECCOMP_FILTER_FLAG_* bits for seccomp(2).
    public let flags: UInt32
    private let storage: FilterStorage

    fileprivate init(storage: FilterStorage, count: UInt32, flags: UInt32) {
        self.storage = storage
        self.count = count
        self.flags = flags
    }

    /// A copy of `instructions` (a program read back from SeccompCache).
    init(copying instructions: UnsafeRawBufferPointer, count: UInt32, flags: UInt32) {
        let pointer = malloc(instructions.count)!
        pointer.copyMemory(from: instructions.baseAddress!, byteCount: instructions.count)
        self.init(storage: FilterStorage(pointer), count: count, flags: flags)
    }

    /// The instructions and their count, for sl_process.seccomp_filter / seccomp_len. The
    /// pointer is valid inside `body` (and in a child cloned from within it).
    public func withUnsafePointer<R, E: Error>(
        _ body: (UnsafeRawPointer, UInt32) throws(E) -> R
    ) throws(E) -> R {
        try withExtendedLifetime(storage) { () throws(E) -> R in
            try body(UnsafeRawPointer(storage.pointer), count)
        }
    }
}

/// Owns the malloc'd buffer from sl_seccomp_export. Unchecked Sendable: it is never written
/// after init, and freed exactly once when the last program value goes away.
private final class FilterStorage: @unchecked Sendable {
    let pointer: UnsafeMutableRawPointer
    init(_ pointer: UnsafeMutableRawPointer) { self.pointer = pointer }
    deinit { free(pointer) }
}

public enum SeccompCompiler {
    /// The kernel refuses longer classic BPF programs (BPF_MAXINSNS).
    static let maxInstructions: UInt32 = 4096
    /// The kernel clamps larger SECCOMP_RET_ERRNO data to MAX_ERRNO; refuse rather than surprise.
    static let maxErrno: UInt32 = 4095

    /// Compiled programs by profile. libseccomp takes milliseconds to compile the default
    /// profile, which every container of a pod file shares, and an exec probe would otherwise
    /// compile its container's filter again every period.
    private static let compiled = Mutex<[OCISpec.Seccomp: SeccompProgram]>([:])
    /// Profiles kept at most (a supervisor sees a handful; anything else gets compiled again).
    static let compiledLimit = 32

    /// The program for `s`: from memory, else from `cacheDirectory` (a SeccompCache; nil: none),
    /// else compiled.
    public static func compile(_ s: OCISpec.Seccomp,
                               cacheDirectory: String? = nil) throws(SeccompError) -> SeccompProgram {
        if let program = compiled.withLock({ $0[s] }) { return program }
        let program = if let cacheDirectory {
            try SeccompCache(directory: cacheDirectory).program(for: s)
        } else {
            try compileUncached(s)
        }
        compiled.withLock { programs in
            if programs.count >= compiledLimit { programs.removeAll() }
            programs[s] = program
        }
        return program
    }

    static func compileUncached(_ s: OCISpec.Seccomp) throws(SeccompError) -> SeccompProgram {
        let defaultAction = try action(s.defaultAction, errnoRet: s.defaultErrnoRet,
                                       at: "linux.seccomp.defaultAction")
        let flags = try filterFlags(s.flags)

        var err: Int32 = 0
        guard let filter = sl_seccomp_new(defaultAction, &err) else {
            throw SeccompError("linux.seccomp: libseccomp could not create a filter: \(describe(err)).")
        }
        defer { sl_seccomp_free(filter) }

        for (i, arch) in s.architectures.enumerated() {
            let rc = sl_seccomp_add_arch(filter, arch)
            if rc == -EINVAL {
                throw SeccompError("linux.seccomp.architectures[\(i)]: \"\(arch)\" is not an architecture libseccomp knows.")
            } else if rc < 0 {
                throw SeccompError("linux.seccomp.architectures[\(i)]: libseccomp could not add \"\(arch)\": \(describe(rc)).")
            }
        }

        for (i, rule) in s.syscalls.enumerated() {
            try add(rule, at: "linux.seccomp.syscalls[\(i)] (names: \(rule.names.joined(separator: ", ")))", to: filter)
        }

        var out: UnsafeMutableRawPointer?
        var count: UInt32 = 0
        let rc = sl_seccomp_export(filter, &out, &count)
        guard rc >= 0, let out else {
            throw SeccompError("linux.seccomp: libseccomp could not export the filter: \(describe(rc)).")
        }
        let storage = FilterStorage(out)
        guard count > 0, count <= maxInstructions else {
            throw SeccompError("linux.seccomp: the compiled filter has \(count) instructions; the kernel accepts 1 to \(maxInstructions).")
        }
        return SeccompProgram(storage: storage, count: count, flags: flags)
    }

    private static func add(_ rule: OCISpec.SyscallRule, at path: String,
                            to filter: OpaquePointer) throws(SeccompError) {
        guard !rule.names.isEmpty else { throw SeccompError("\(path): names must not be empty.") }
        let act = try action(rule.action, errnoRet: rule.errnoRet, at: path)
        let groups = try conditionGroups(rule.args, at: path)
        for name in rule.names {
            guard !name.isEmpty else { throw SeccompError("\(path): a syscall name is empty.") }
            for group in groups {
                let rc = group.withUnsafeBufferPointer {
                    sl_seccomp_add_rule(filter, name, act, $0.baseAddress, UInt32($0.count))
                }
                // Unknown to libseccomp: newer than the library (or a typo); skipped, as runc does.
                if rc == -EDOM { break }
                if rc < 0 {
                    throw SeccompError("\(path): libseccomp refused the rule for \"\(name)\": \(describe(rc)).")
                }
            }
        }
    }

    /// libseccomp takes at most one comparison per argument in a rule. Like runc, when a rule
    /// compares one argument several times, each comparison becomes a rule of its own.
    private static func conditionGroups(_ args: [OCISpec.SyscallArg],
                                        at path: String) throws(SeccompError) -> [[sl_seccomp_arg]] {
        var conditions: [sl_seccomp_arg] = []
        for (j, arg) in args.enumerated() {
            guard arg.index < 6 else {
                throw SeccompError("\(path): args[\(j)]: index \(arg.index) is out of range; syscalls have arguments 0 to 5.")
            }
            guard let op = operators[arg.op] else {
                throw SeccompError("\(path): args[\(j)]: unknown operator \"\(arg.op)\"; expected one of \(operators.keys.sorted().joined(separator: ", ")).")
            }
            conditions.append(sl_seccomp_arg(index: arg.index, op: op, value: arg.value, value_two: arg.valueTwo))
        }
        let indices = conditions.map(\.index)
        if Set(indices).count == indices.count { return [conditions] }
        return conditions.map { [$0] }
    }

    private static func action(_ name: String, errnoRet: UInt32?,
                               at path: String) throws(SeccompError) -> UInt32 {
        if let errnoRet, errnoRet > maxErrno {
            throw SeccompError("\(path): errno \(errnoRet) is larger than the kernel's limit of \(maxErrno).")
        }
        // errnoRet is ignored for the other actions, as runc does.
        switch name {
        case "SCMP_ACT_ALLOW": return sl_seccomp_act_allow()
        case "SCMP_ACT_ERRNO": return sl_seccomp_act_errno(errnoRet ?? UInt32(EPERM))
        case "SCMP_ACT_TRACE": return sl_seccomp_act_trace(errnoRet ?? UInt32(EPERM))
        case "SCMP_ACT_KILL", "SCMP_ACT_KILL_THREAD": return sl_seccomp_act_kill_thread()
        case "SCMP_ACT_KILL_PROCESS": return sl_seccomp_act_kill_process()
        case "SCMP_ACT_TRAP": return sl_seccomp_act_trap()
        case "SCMP_ACT_LOG": return sl_seccomp_act_log()
        case "SCMP_ACT_NOTIFY":
            throw SeccompError("\(path): SCMP_ACT_NOTIFY needs a seccomp agent (listenerPath), which swiftlet does not support.")
        default:
            throw SeccompError("\(path): unknown action \"\(name)\"; expected one of SCMP_ACT_ALLOW, SCMP_ACT_ERRNO, SCMP_ACT_KILL, SCMP_ACT_KILL_PROCESS, SCMP_ACT_KILL_THREAD, SCMP_ACT_LOG, SCMP_ACT_TRACE, SCMP_ACT_TRAP.")
        }
    }

    private static func filterFlags(_ names: [String]) throws(SeccompError) -> UInt32 {
        var flags: UInt32 = 0
        for (i, name) in names.enumerated() {
            switch name {
            // The child is single-threaded when it loads the filter: nothing to synchronise.
            case "SECCOMP_FILTER_FLAG_TSYNC": continue
            case "SECCOMP_FILTER_FLAG_LOG": flags |= 1 << 1
            case "SECCOMP_FILTER_FLAG_SPEC_ALLOW": flags |= 1 << 2
            case "SECCOMP_FILTER_FLAG_NEW_LISTENER", "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV":
                throw SeccompError("linux.seccomp.flags[\(i)]: \(name) needs a seccomp agent, which swiftlet does not support.")
            default:
                throw SeccompError("linux.seccomp.flags[\(i)]: unknown flag \"\(name)\"; expected SECCOMP_FILTER_FLAG_LOG, SECCOMP_FILTER_FLAG_SPEC_ALLOW or SECCOMP_FILTER_FLAG_TSYNC.")
            }
        }
        return flags
    }

    /// enum scmp_compare values (seccomp.h); stable libseccomp ABI.
    private static let operators: [String: UInt32] = [
        "SCMP_CMP_NE": 1, "SCMP_CMP_LT": 2, "SCMP_CMP_LE": 3, "SCMP_CMP_EQ": 4,
        "SCMP_CMP_GE": 5, "SCMP_CMP_GT": 6, "SCMP_CMP_MASKED_EQ": 7,
    ]

    private static func describe(_ rc: Int32) -> String {
        Errno(rc < 0 ? -rc : rc).description
    }
}
