#if canImport(Glibc)
import Glibc
#endif
import CShims

/// The part of a spawn plan shared by a container's init and by exec: argv, env, cwd, user,
/// capabilities, rlimits, seccomp. Everything is checked here, in the parent, so that the child
/// only executes prepared values.
enum ProcessPlanner {
    static let rlimitNames: [String: Int32] = [
        "RLIMIT_CPU": 0, "RLIMIT_FSIZE": 1, "RLIMIT_DATA": 2, "RLIMIT_STACK": 3, "RLIMIT_CORE": 4,
        "RLIMIT_RSS": 5, "RLIMIT_NPROC": 6, "RLIMIT_NOFILE": 7, "RLIMIT_MEMLOCK": 8, "RLIMIT_AS": 9,
        "RLIMIT_LOCKS": 10, "RLIMIT_SIGPENDING": 11, "RLIMIT_MSGQUEUE": 12, "RLIMIT_NICE": 13,
        "RLIMIT_RTPRIO": 14, "RLIMIT_RTTIME": 15,
    ]

    /// Capability names to a bit mask. Names the kernel does not have (newer than it) are left
    /// out, as runc does. Names nobody knows ("CAP_TEST", or "net_raw": OCI spells them
    /// "CAP_NET_RAW") are left out too, with a warning each: the runtime spec says a runtime
    /// SHOULD warn and SHOULD NOT fail, and runc does so. Dropping a name never grants more.
    static func capabilityMask(_ names: [String], field: String, lastCap: Int32) -> (mask: UInt64, warnings: [String]) {
        var mask: UInt64 = 0
        var warnings: [String] = []
        for name in names {
            // libcap also takes "chown"; only the spec's spelling counts, as in runc.
            let n = name.hasPrefix("CAP_") && name == name.uppercased() ? sl_cap_from_name(name.lowercased()) : -1
            if n < 0 {
                let guess = ["CAP_" + name.uppercased(), name.uppercased()].first(where: SpecNames.capabilitySet.contains)
                warnings.append("\(field): unknown capability \"\(name)\" ignored" + (guess.map { "; did you mean \"\($0)\"?" } ?? ""))
                continue
            }
            if n <= lastCap && n < 64 { mask |= 1 << UInt64(n) }
        }
        return (mask, warnings)
    }

    /// Fills `out` (an sl_process) from the OCI process, allocating into `arena`.
    /// Returns warnings about what was ignored (see `capabilityMask`) for the caller to report.
    /// `seccompCache`: a SeccompCache directory for the compiled filter (nil: memory only).
    @discardableResult
    static func fill(_ out: inout sl_process, from p: OCISpec.Process, seccomp: OCISpec.Seccomp?,
                     seccompCache: String? = nil,
                     stdio: Stdio?, arena: CArena, field: String = "process") throws(RuntimeError) -> [String] {
        var warnings: [String] = []
        // -1: keep what the child inherits (a zeroed struct would mean "make everything fd 0").
        out.stdio_fds = stdio.map { ($0.input, $0.output, $0.error) } ?? (-1, -1, -1)
        guard let exe = p.args.first, !exe.isEmpty else {
            throw .spec("config.json: \(field).args: must name the program to run")
        }
        guard p.cwd.hasPrefix("/") else {
            throw .spec("config.json: \(field).cwd: must be an absolute path, got \"\(p.cwd)\"")
        }
        out.path = arena.string(exe)
        out.argv = arena.stringArray(p.args)
        out.envp = arena.stringArray(p.env)
        out.cwd = arena.string(p.cwd)
        out.uid = p.user.uid
        out.gid = p.user.gid
        out.additional_gids = arena.copy(p.user.additionalGids)
        out.n_additional_gids = Int32(p.user.additionalGids.count)
        out.umask = p.user.umask ?? 0o022
        out.no_new_privileges = p.noNewPrivileges ? 1 : 0
        out.terminal = p.terminal ? 1 : 0

        let last = sl_cap_last_cap()
        var caps = sl_caps()
        caps.last_cap = last
        if let c = p.capabilities {
            func mask(_ names: [String], _ set: String) -> UInt64 {
                let (m, w) = capabilityMask(names, field: "\(field).capabilities.\(set)", lastCap: last)
                warnings += w
                return m
            }
            caps.bounding = mask(c.bounding, "bounding")
            caps.effective = mask(c.effective, "effective")
            caps.permitted = mask(c.permitted, "permitted")
            caps.inheritable = mask(c.inheritable, "inheritable")
            caps.ambient = mask(c.ambient, "ambient")
            // The kernel raises an ambient capability only if it is permitted and inheritable.
            // `runc spec` lists ambient ones without inheritable; runc warns and goes on. Dropping
            // them grants nothing more than the kernel would, so we do the same, silently.
            caps.ambient &= caps.permitted & caps.inheritable
        }
        out.caps = caps

        var limits: [sl_rlimit] = []
        for (i, r) in p.rlimits.enumerated() {
            guard let resource = rlimitNames[r.type] else {
                throw .spec("config.json: \(field).rlimits[\(i)].type: unknown rlimit \"\(r.type)\"")
            }
            var soft: UInt64 = 0, hard: UInt64 = 0
            _ = sl_getrlimit(resource, &soft, &hard)
            // Raising a hard limit fails even for root on some hosts; say so instead of EPERM.
            if r.hard > hard {
                throw .unsupported(field: "config.json: \(field).rlimits[\(i)]",
                                   reason: "\(r.type) hard limit \(r.hard) is above this host's hard limit \(hard)")
            }
            if r.soft > r.hard {
                throw .spec("config.json: \(field).rlimits[\(i)]: soft limit \(r.soft) is above the hard limit \(r.hard)")
            }
            limits.append(sl_rlimit(resource: resource, pad: 0, soft: r.soft, hard: r.hard))
        }
        out.rlimits = arena.copy(limits)
        out.n_rlimits = Int32(limits.count)
        if let adj = p.oomScoreAdj {
            out.oom_score_adj_set = 1
            out.oom_score_adj = Int32(clamping: adj)
        }

        if let s = seccomp {
            let program: SeccompProgram
            do { program = try SeccompCompiler.compile(s, cacheDirectory: seccompCache) } catch { throw .spec("config.json: \(error)") }
            program.withUnsafePointer { ptr, count in
                out.seccomp_filter = arena.copy(bytes: ptr, count: Int(count) * 8)   // sizeof(struct sock_filter)
                out.seccomp_len = count
            }
            out.seccomp_flags = program.flags
        }
        return warnings
    }
}

/// Where the library's warnings go: things in a config that are ignored rather than refused
/// (`SpawnPlan.warnings`). The CLI's default writes them to stderr; a daemon can log them instead.
public enum RuntimeWarnings {
    /// Called once per warning, with a sentence naming the field, without a prefix.
    nonisolated(unsafe) public static var handler: (String) -> Void = { message in
        let line = Array("swiftlet-runtime: warning: \(message)\n".utf8)
        _ = line.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
    }

    static func report(_ message: String) { handler(message) }
}
