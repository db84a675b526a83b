// OCISpec → JSON, for `swiftlet-runtime spec` and the copy of the config kept in the state
// directory. Keys follow the order runc writes; optional values that are nil are left out.
// SpecDecoder.decode(SpecEncoder.encode(spec)) == spec for every spec the decoder accepts.

/// Turns an OCISpec back into config.json.
public enum SpecEncoder {
    /// The spec as a JSON document.
    public static func encode(_ spec: OCISpec) -> JSONValue {
        var o = JSONObject()
        o["ociVersion"] = .string(spec.ociVersion)
        o["process"] = spec.process.map(process)
        o["root"] = spec.root.map { root in ["path": .string(root.path), "readonly": .bool(root.readonly)] }
        o["hostname"] = spec.hostname.map(JSONValue.string)
        o["domainname"] = spec.domainname.map(JSONValue.string)
        o["mounts"] = .array(spec.mounts.map(mount))
        o["hooks"] = nonEmpty(hooks(spec.hooks))
        o["linux"] = spec.linux.map(linux)
        o["annotations"] = nonEmpty(stringMap(spec.annotations))
        return .object(o)
    }

    /// The spec as config.json bytes: pretty-printed, ending in a newline.
    public static func configJSON(_ spec: OCISpec) -> [UInt8] {
        encode(spec).serialized(pretty: true) + [0x0A]
    }

    // MARK: Helpers

    private static func strings(_ values: [String]) -> JSONValue { .array(values.map(JSONValue.string)) }

    /// The array, or nil when it is empty (so that the key is left out).
    private static func nonEmpty(_ values: [String]) -> JSONValue? { values.isEmpty ? nil : strings(values) }

    private static func nonEmpty(_ value: JSONValue) -> JSONValue? {
        switch value {
        case .array(let a) where a.isEmpty: return nil
        case .object(let o) where o.isEmpty: return nil
        default: return value
        }
    }

    /// Keys sorted, so the output does not depend on dictionary order.
    private static func stringMap(_ map: [String: String]) -> JSONValue {
        var o = JSONObject()
        for key in map.keys.sorted() { o[key] = map[key].map(JSONValue.string) }
        return .object(o)
    }

    // MARK: Sections

    private static func process(_ p: OCISpec.Process) -> JSONValue {
        var o = JSONObject()
        o["terminal"] = .bool(p.terminal)
        o["consoleSize"] = p.consoleSize.map { ["height": .integer($0.height), "width": .integer($0.width)] }
        var user: JSONObject = ["uid": .integer(p.user.uid), "gid": .integer(p.user.gid)]
        user["umask"] = p.user.umask.map(JSONValue.integer)
        user["additionalGids"] = nonEmpty(.array(p.user.additionalGids.map(JSONValue.integer)))
        o["user"] = .object(user)
        o["args"] = strings(p.args)
        o["env"] = strings(p.env)
        o["cwd"] = .string(p.cwd)
        o["capabilities"] = p.capabilities.map { c in
            ["bounding": strings(c.bounding), "effective": strings(c.effective), "inheritable": strings(c.inheritable),
             "permitted": strings(c.permitted), "ambient": strings(c.ambient)]
        }
        o["rlimits"] = nonEmpty(.array(p.rlimits.map { r in
            ["type": .string(r.type), "hard": .integer(r.hard), "soft": .integer(r.soft)]
        }))
        o["noNewPrivileges"] = .bool(p.noNewPrivileges)
        o["oomScoreAdj"] = p.oomScoreAdj.map(JSONValue.integer)
        return .object(o)
    }

    /// Only phases with hooks; in each hook, args/env only when non-empty and timeout only when
    /// set (the decoder reads absent as [] and nil, so the round trip is exact).
    static func hooks(_ h: OCISpec.Hooks) -> JSONValue {
        var o = JSONObject()
        for (phase, list) in h.phases where !list.isEmpty {
            o[phase] = .array(list.map { hook in
                var e: JSONObject = ["path": .string(hook.path)]
                e["args"] = nonEmpty(hook.args)
                e["env"] = nonEmpty(hook.env)
                e["timeout"] = hook.timeout.map(JSONValue.integer)
                return .object(e)
            })
        }
        return .object(o)
    }

    private static func mount(_ m: OCISpec.Mount) -> JSONValue {
        var o: JSONObject = ["destination": .string(m.destination)]
        o["type"] = m.type.map(JSONValue.string)
        o["source"] = m.source.map(JSONValue.string)
        o["options"] = nonEmpty(m.options)
        return .object(o)
    }

    private static func linux(_ l: OCISpec.Linux) -> JSONValue {
        var o = JSONObject()
        o["resources"] = l.resources.map(resources)
        o["cgroupsPath"] = l.cgroupsPath.map(JSONValue.string)
        o["namespaces"] = nonEmpty(.array(l.namespaces.map { ns in
            var n: JSONObject = ["type": .string(ns.type)]
            n["path"] = ns.path.map(JSONValue.string)
            return .object(n)
        }))
        o["devices"] = nonEmpty(.array(l.devices.map(device)))
        o["seccomp"] = l.seccomp.map(seccomp)
        o["maskedPaths"] = nonEmpty(l.maskedPaths)
        o["readonlyPaths"] = nonEmpty(l.readonlyPaths)
        o["rootfsPropagation"] = l.rootfsPropagation.map(JSONValue.string)
        o["sysctl"] = nonEmpty(stringMap(l.sysctl))
        return .object(o)
    }

    private static func device(_ d: OCISpec.Device) -> JSONValue {
        var o: JSONObject = ["type": .string(d.type), "path": .string(d.path),
                             "major": .integer(d.major), "minor": .integer(d.minor)]
        o["fileMode"] = d.fileMode.map(JSONValue.integer)
        o["uid"] = d.uid.map(JSONValue.integer)
        o["gid"] = d.gid.map(JSONValue.integer)
        return .object(o)
    }

    private static func resources(_ r: OCISpec.Resources) -> JSONValue {
        var o = JSONObject()
        o["devices"] = nonEmpty(.array(r.devices.map { rule in
            var d: JSONObject = ["allow": .bool(rule.allow)]
            d["type"] = rule.type.map(JSONValue.string)
            d["major"] = rule.major.map(JSONValue.integer)
            d["minor"] = rule.minor.map(JSONValue.integer)
            d["access"] = rule.access.map(JSONValue.string)
            return .object(d)
        }))
        o["memory"] = r.memory.map { m in
            var mem = JSONObject()
            mem["limit"] = m.limit.map(JSONValue.integer)
            mem["reservation"] = m.reservation.map(JSONValue.integer)
            mem["swap"] = m.swap.map(JSONValue.integer)
            return .object(mem)
        }
        o["cpu"] = r.cpu.map { c in
            var cpu = JSONObject()
            cpu["shares"] = c.shares.map(JSONValue.integer)
            cpu["quota"] = c.quota.map(JSONValue.integer)
            cpu["period"] = c.period.map(JSONValue.integer)
            cpu["cpus"] = c.cpus.map(JSONValue.string)
            cpu["mems"] = c.mems.map(JSONValue.string)
            return .object(cpu)
        }
        o["pids"] = r.pids.map { ["limit": .integer($0.limit)] }
        return .object(o)
    }

    /// Also SeccompCache's key: every field, in a fixed order.
    static func seccomp(_ s: OCISpec.Seccomp) -> JSONValue {
        var o: JSONObject = ["defaultAction": .string(s.defaultAction)]
        o["defaultErrnoRet"] = s.defaultErrnoRet.map(JSONValue.integer)
        o["architectures"] = nonEmpty(s.architectures)
        o["flags"] = nonEmpty(s.flags)
        o["syscalls"] = nonEmpty(.array(s.syscalls.map { rule in
            var r: JSONObject = ["names": strings(rule.names), "action": .string(rule.action)]
            r["errnoRet"] = rule.errnoRet.map(JSONValue.integer)
            r["args"] = nonEmpty(.array(rule.args.map { arg in
                ["index": .integer(arg.index), "value": .integer(arg.value),
                 "valueTwo": .integer(arg.valueTwo), "op": .string(arg.op)]
            }))
            return .object(r)
        }))
        return .object(o)
    }
}
