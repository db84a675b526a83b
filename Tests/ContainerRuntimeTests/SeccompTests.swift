import CShims
import ContainerRuntime
import Foundation
import Testing

/// x86_64 syscall numbers used by the kernel-behaviour tests.
private enum NR {
    static let getpid = 39, getppid = 110, socket = 41, clone = 56, personality = 135
    static let chroot = 161, mount = 165, umount2 = 166, unshare = 272, setns = 308
    static let keyctl = 250, addKey = 248, bpf = 321, perfEventOpen = 298, clone3 = 435
    static let ptrace = 101, reboot = 169, openByHandleAt = 304, userfaultfd = 323
    static let kexecLoad = 246, initModule = 175, finitModule = 313, deleteModule = 176
}

private let cloneNewNS = 0x0002_0000, cloneNewUser = 0x1000_0000
private let afUnix = 1, afVsock = 40, sockStream = 1

/// Runs syscall(nr, a0, a1, a2) in a forked child under `program`: the errno it failed with
/// (0 = success), or 256 + signal when the filter killed it.
private func probe(_ program: SeccompProgram, _ nr: Int, _ a0: Int = 0, _ a1: Int = 0, _ a2: Int = 0) -> Int32 {
    program.withUnsafePointer { filter, count in
        sl_seccomp_probe(filter, count, nr, a0, a1, a2)
    }
}

private func compileError(_ spec: OCISpec.Seccomp) -> String? {
    do {
        _ = try SeccompCompiler.compile(spec)
        return nil
    } catch {
        return error.message
    }
}

@Suite("Seccomp")
struct SeccompTests {
    @Test func defaultProfileCompiles() throws {
        let program = try SeccompCompiler.compile(DefaultSeccompProfile.make())
        #expect(program.count > 0)
        #expect(program.count <= 4096)
        #expect(program.flags == 0)
    }

    /// Exec probes start a process under their container's filter every period: a profile is
    /// compiled once and the program shared; another profile gets its own.
    @Test func aProfileIsCompiledOnceAndAnotherProfileSeparately() throws {
        let profile = DefaultSeccompProfile.make()
        var other = profile
        for i in other.syscalls.indices { other.syscalls[i].names.removeAll { $0 == "getppid" } }
        let first = try SeccompCompiler.compile(profile)
        let again = try SeccompCompiler.compile(profile)
        let changed = try SeccompCompiler.compile(other)
        let address = { (p: SeccompProgram) in p.withUnsafePointer { pointer, _ in UInt(bitPattern: pointer) } }
        #expect(address(first) == address(again))
        #expect(address(changed) != address(first))
        #expect(probe(first, NR.getppid) == 0)
        #expect(probe(changed, NR.getppid) != 0)
    }

    @Test func defaultAllowlistIsSortedAndExcludesPrivilegedCalls() {
        let profile = DefaultSeccompProfile.make()
        let names = profile.syscalls[0].names
        #expect(names == names.sorted())
        #expect(Set(names).count == names.count)
        let refused = ["mount", "umount2", "unshare", "setns", "keyctl", "add_key", "request_key", "bpf",
                       "perf_event_open", "kexec_load", "open_by_handle_at", "init_module", "finit_module",
                       "delete_module", "reboot", "swapon", "pivot_root", "userfaultfd", "clock_settime",
                       "clone", "clone3", "socket", "personality"]
        for name in refused {
            #expect(!names.contains(name), "\(name) must not be allowed unconditionally")
        }
    }

    @Test func rulesWithArgumentsCompile() throws {
        let spec = OCISpec.Seccomp(
            defaultAction: "SCMP_ACT_ALLOW",
            architectures: ["SCMP_ARCH_X86_64", "x86"],
            flags: ["SECCOMP_FILTER_FLAG_SPEC_ALLOW", "SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_TSYNC"],
            syscalls: [
                .init(names: ["personality"], action: "SCMP_ACT_ERRNO", errnoRet: 22,
                      args: [.init(index: 0, value: 8, op: "SCMP_CMP_EQ")]),
                .init(names: ["socket"], action: "SCMP_ACT_KILL_PROCESS",
                      args: [.init(index: 0, value: 40, op: "SCMP_CMP_EQ"),
                             .init(index: 1, value: 0xf, valueTwo: 3, op: "SCMP_CMP_MASKED_EQ")]),
                // Two comparisons on one argument: split into two rules, as runc does.
                .init(names: ["kill"], action: "SCMP_ACT_ERRNO",
                      args: [.init(index: 1, value: 9, op: "SCMP_CMP_EQ"),
                             .init(index: 1, value: 19, op: "SCMP_CMP_EQ")]),
                .init(names: ["getcwd"], action: "SCMP_ACT_LOG"),
                .init(names: ["getuid"], action: "SCMP_ACT_ALLOW"),   // same as default: no-op
                .init(names: ["not_a_syscall_yet"], action: "SCMP_ACT_ERRNO"),   // skipped
            ])
        let program = try SeccompCompiler.compile(spec)
        #expect(program.count > 0)
        #expect(program.flags == 2 | 4)
    }

    @Test func errorsNameTheRule() {
        let badAction = OCISpec.Seccomp(defaultAction: "SCMP_ACT_ALLOW", syscalls: [
            .init(names: ["getpid"], action: "SCMP_ACT_ALLOW"),
            .init(names: ["getppid", "gettid"], action: "SCMP_ACT_EXPLODE"),
        ])
        #expect(compileError(badAction)?.hasPrefix(
            "linux.seccomp.syscalls[1] (names: getppid, gettid): unknown action \"SCMP_ACT_EXPLODE\"") == true)

        let badOp = OCISpec.Seccomp(defaultAction: "SCMP_ACT_ALLOW", syscalls: [
            .init(names: ["foo"], action: "SCMP_ACT_ERRNO", args: [.init(index: 0, value: 1, op: "SCMP_CMP_ABOUT")]),
        ])
        #expect(compileError(badOp)?.hasPrefix(
            "linux.seccomp.syscalls[0] (names: foo): args[0]: unknown operator \"SCMP_CMP_ABOUT\"") == true)

        let badIndex = OCISpec.Seccomp(defaultAction: "SCMP_ACT_ALLOW", syscalls: [
            .init(names: ["getpid"], action: "SCMP_ACT_ERRNO", args: [.init(index: 6, value: 1, op: "SCMP_CMP_EQ")]),
        ])
        #expect(compileError(badIndex)?.contains("syscalls[0] (names: getpid): args[0]: index 6") == true)

        let badArch = OCISpec.Seccomp(defaultAction: "SCMP_ACT_ALLOW", architectures: ["SCMP_ARCH_X86_64", "SCMP_ARCH_VAX"])
        #expect(compileError(badArch) == "linux.seccomp.architectures[1]: \"SCMP_ARCH_VAX\" is not an architecture libseccomp knows.")

        let badDefault = OCISpec.Seccomp(defaultAction: "SCMP_ACT_MAYBE")
        #expect(compileError(badDefault)?.hasPrefix("linux.seccomp.defaultAction: unknown action") == true)

        let badFlag = OCISpec.Seccomp(defaultAction: "SCMP_ACT_ALLOW", flags: ["SECCOMP_FILTER_FLAG_NEW_LISTENER"])
        #expect(compileError(badFlag)?.hasPrefix("linux.seccomp.flags[0]:") == true)

        let notify = OCISpec.Seccomp(defaultAction: "SCMP_ACT_ALLOW", syscalls: [.init(names: ["getpid"], action: "SCMP_ACT_NOTIFY")])
        #expect(compileError(notify)?.contains("SCMP_ACT_NOTIFY") == true)

        let bigErrno = OCISpec.Seccomp(defaultAction: "SCMP_ACT_ERRNO", defaultErrnoRet: 70000)
        #expect(compileError(bigErrno)?.hasPrefix("linux.seccomp.defaultAction: errno 70000") == true)
    }

    @Test func defaultProfileRefusesPrivilegedSyscalls() throws {
        let program = try SeccompCompiler.compile(DefaultSeccompProfile.make())
        #expect(probe(program, NR.unshare, cloneNewNS) == EPERM)
        #expect(probe(program, NR.mount) == EPERM)
        #expect(probe(program, NR.umount2) == EPERM)
        #expect(probe(program, NR.setns) == EPERM)
        #expect(probe(program, NR.keyctl) == EPERM)
        #expect(probe(program, NR.addKey) == EPERM)
        #expect(probe(program, NR.bpf) == EPERM)
        #expect(probe(program, NR.perfEventOpen) == EPERM)
        #expect(probe(program, NR.reboot) == EPERM)
        #expect(probe(program, NR.openByHandleAt) == EPERM)
        #expect(probe(program, NR.userfaultfd) == EPERM)
        #expect(probe(program, NR.kexecLoad) == EPERM)
        #expect(probe(program, NR.initModule) == EPERM)
        #expect(probe(program, NR.finitModule, -1) == EPERM)   // unfiltered: EBADF
        #expect(probe(program, NR.deleteModule) == EPERM)
        #expect(probe(program, NR.clone3) == ENOSYS)
        // clone with a namespace flag never reaches the kernel.
        #expect(probe(program, NR.clone, cloneNewUser) == EPERM)
        #expect(probe(program, NR.socket, afVsock, sockStream) == EPERM)
        #expect(probe(program, NR.personality, 0x0040000 /* ADDR_NO_RANDOMIZE */) == EPERM)
    }

    @Test func defaultProfileAllowsOrdinarySyscalls() throws {
        let program = try SeccompCompiler.compile(DefaultSeccompProfile.make())
        #expect(probe(program, NR.getpid) == 0)
        #expect(probe(program, NR.socket, afUnix, sockStream) == 0)
        #expect(probe(program, NR.personality, 0xffff_ffff) == 0)
        // A NULL path: EFAULT proves the call reached the kernel instead of the filter.
        #expect(probe(program, NR.chroot, 0) == EFAULT)
        #expect(probe(program, NR.ptrace, 0xdead /* no such request */) != EPERM)
    }

    @Test func customProfileActions() throws {
        let spec = OCISpec.Seccomp(defaultAction: "SCMP_ACT_ALLOW", syscalls: [
            .init(names: ["getppid"], action: "SCMP_ACT_ERRNO", errnoRet: 42),
            .init(names: ["getpid"], action: "SCMP_ACT_ERRNO"),
            .init(names: ["personality"], action: "SCMP_ACT_ERRNO", errnoRet: 7,
                  args: [.init(index: 0, value: 0x20000, op: "SCMP_CMP_EQ"),
                         .init(index: 0, value: 0x8, op: "SCMP_CMP_EQ")]),
            .init(names: ["umount2"], action: "SCMP_ACT_KILL_PROCESS"),
        ])
        let program = try SeccompCompiler.compile(spec)
        #expect(probe(program, NR.getppid) == 42)
        #expect(probe(program, NR.getpid) == EPERM)
        #expect(probe(program, NR.personality, 0x20000) == 7)
        #expect(probe(program, NR.personality, 0x8) == 7)
        #expect(probe(program, NR.personality, 0xffff_ffff) == 0)
        #expect(probe(program, NR.umount2) == 256 + SIGSYS)
    }
}
