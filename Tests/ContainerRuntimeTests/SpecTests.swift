import Foundation
import Testing

@testable import ContainerRuntime

/// JSON layer, config.json decoding and validation, encoding and the default spec.
@Suite struct SpecTests {}

// MARK: - Helpers

/// A small valid config; cases below change one field of it.
private let minimal: JSONValue = [
    "ociVersion": "1.0.2",
    "root": ["path": "rootfs"],
    "process": ["user": ["uid": 0, "gid": 0], "args": ["sh"], "cwd": "/"],
    "linux": ["namespaces": [["type": "mount"]]],
]

/// `base` with the member at a dotted path set to `value` (nil removes it); objects on the way are created.
private func setting(_ path: String, to value: JSONValue?, in base: JSONValue = minimal) -> JSONValue {
    func set(_ keys: ArraySlice<Substring>, _ node: JSONValue) -> JSONValue {
        guard let key = keys.first.map(String.init) else { return value ?? .null }
        var object = node.objectValue ?? JSONObject()
        if keys.count == 1 {
            object[key] = value
        } else {
            object[key] = set(keys.dropFirst(), object[key] ?? .object(JSONObject()))
        }
        return .object(object)
    }
    return set(path.split(separator: ".")[...], base)
}

/// The error text decoding `json` produces, or nil when it decodes.
private func decodeError(_ json: JSONValue) -> String? {
    do {
        _ = try SpecDecoder.decode(json.serialized())
        return nil
    } catch {
        return error.description
    }
}

private func decodeError(_ text: String) -> String? {
    do {
        _ = try SpecDecoder.decode(Array(text.utf8))
        return nil
    } catch {
        return error.description
    }
}

private func parseError(_ bytes: [UInt8]) -> JSONParseError? {
    do {
        _ = try JSONValue.parse(bytes)
        return nil
    } catch {
        return error
    }
}

private func temporaryDirectory() throws -> String {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("swiftlet-spec-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url.path
}

// MARK: - JSON

extension SpecTests {
    @Suite struct JSONParsing {
        @Test func structureAndScalars() throws {
            let value = try JSONValue.parse(#" { "a" : [1, -2.5e3, true, false, null, "x"], "b": {} , "c": [] } "#)
            let number = try #require(try JSONValue.parse("-2.5e3").numberValue)
            #expect(value == ["a": [1, .number(number), true, false, nil, "x"], "b": [:], "c": []])
            #expect(value["a"]?.arrayValue?.count == 6)
            #expect(value["a"]?.arrayValue?[1].numberValue?.double == -2500)
            #expect(value["b"] == .object(JSONObject()))
            #expect(value.objectValue?.keys == ["a", "b", "c"])
        }

        @Test func stringEscapes() throws {
            let value = try JSONValue.parse(#""q\"b\\s\/b\bf\fn\nr\rt\te\u00e9E\u20ACz\u0000""#)
            #expect(value == .string("q\"b\\s/b\u{8}f\u{c}n\nr\rt\te\u{e9}E\u{20AC}z\u{0}"))
        }

        @Test func surrogatePairs() throws {
            #expect(try JSONValue.parse(#""\ud83d\ude00""#) == "😀")
            #expect(try JSONValue.parse(#""\uD83D\uDE00 ok""#) == "😀 ok")
            #expect(try JSONValue.parse("\"raw 😀 é\"") == "raw 😀 é")
        }

        @Test func bigNumbersStayExact() throws {
            let max = try #require(try JSONValue.parse("18446744073709551615").numberValue)
            #expect(max.integer(as: UInt64.self) == UInt64.max)
            #expect(max.integer(as: Int64.self) == nil)
            let min = try #require(try JSONValue.parse("-9223372036854775808").numberValue)
            #expect(min.integer(as: Int64.self) == Int64.min)
            #expect(min.integer(as: UInt64.self) == nil)
            #expect(try JSONValue.parse("18446744073709551616").numberValue?.integer(as: UInt64.self) == nil)
            #expect(try JSONValue.parse("-9223372036854775809").numberValue?.integer(as: Int64.self) == nil)
            #expect(try JSONValue.parse("-1").numberValue?.integer(as: UInt32.self) == nil)
            #expect(try JSONValue.parse("4294967296").numberValue?.integer(as: UInt32.self) == nil)
            #expect(try JSONValue.parse("-0").numberValue?.integer(as: UInt32.self) == 0)
            #expect(try JSONValue.parse("1.0").numberValue?.integer(as: Int.self) == nil)
            #expect(try JSONValue.parse("1e3").numberValue?.integer(as: Int.self) == nil)
            #expect(try JSONValue.parse("1E-2").numberValue?.double == 0.01)
            // The literal survives a round trip untouched.
            #expect(try JSONValue.parse("[18446744073709551615,-9223372036854775808,1.50]").text()
                == "[18446744073709551615,-9223372036854775808,1.50]")
        }

        @Test(arguments: [
            ("", 1, 1, "unexpected end of input, expected a value"),
            ("   ", 1, 4, "unexpected end of input, expected a value"),
            ("{", 1, 2, "unexpected end of input, expected a string key"),
            ("[1,]", 1, 4, "unexpected character ']', expected a value"),
            ("[1 2]", 1, 4, "unexpected character '2', expected ',' or ']' in an array"),
            (#"{"a":1,}"#, 1, 8, "unexpected character '}', expected a string key"),
            (#"{"a" 1}"#, 1, 6, "unexpected character '1', expected ':' after an object key"),
            (#"{'a':1}"#, 1, 2, "unexpected character ''', expected a string key"),
            (#"{"a":1,"a":2}"#, 1, 8, #"duplicate key "a""#),
            ("01", 1, 1, "leading zeros are not allowed in numbers"),
            ("1.", 1, 3, "unexpected end of input, expected a digit after the decimal point"),
            ("-", 1, 2, "unexpected end of input, expected a digit"),
            ("+1", 1, 1, "unexpected character '+', expected a value"),
            ("1e+", 1, 4, "unexpected end of input, expected a digit in the exponent"),
            (".5", 1, 1, "unexpected character '.', expected a value"),
            ("NaN", 1, 1, "unexpected character 'N', expected a value"),
            ("tru", 1, 1, "invalid literal, expected true"),
            ("nul", 1, 1, "invalid literal, expected null"),
            ("[1] 2", 1, 5, "unexpected character '2' after the JSON value"),
            ("// comment\n1", 1, 1, "unexpected character '/', expected a value"),
            (#""abc"#, 1, 1, "unterminated string"),
            ("\"a\u{1}\"", 1, 3, "control character 0x01 must be escaped in a string"),
            ("\"a\nb\"", 1, 3, "control character 0x0A must be escaped in a string"),
            (#""\x""#, 1, 2, #"invalid escape sequence \'x'"#),
            (#""\u12""#, 1, 2, #"invalid \u escape: expected 4 hex digits"#),
            (#""\ud83d""#, 1, 2, #"unpaired high surrogate \uD83D"#),
            (#""\ude00""#, 1, 2, #"unpaired low surrogate \uDE00"#),
            (#""\ud83d\u0041""#, 1, 2, #"high surrogate \uD83D is not followed by a low surrogate"#),
            ("{\n  \"a\": tru\n}", 2, 8, "invalid literal, expected true"),
            ("[\r\n1,\r\n  x]", 3, 3, "unexpected character 'x', expected a value"),
        ])
        func malformedInput(text: String, line: Int, column: Int, message: String) throws {
            let error = try #require(parseError(Array(text.utf8)))
            #expect(error.message == message)
            #expect(error.line == line)
            #expect(error.column == column)
        }

        @Test func byteOrderMarkIsRejected() throws {
            let bom = try #require(parseError([0xEF, 0xBB, 0xBF, UInt8(ascii: "1")]))
            #expect(bom.description == "line 1, column 1: unexpected character 0xEF, expected a value")
        }

        /// Strings must be well-formed UTF-8; the error points at the offending byte.
        @Test(arguments: [
            ([0x22, 0x61, 0xFF, 0x22], 2, "invalid UTF-8 byte 0xFF"),
            ([0x22, 0xC0, 0xAF, 0x22], 1, "invalid UTF-8 byte 0xC0"),                   // overlong '/'
            ([0x22, 0xE0, 0x80, 0xAF, 0x22], 1, "invalid UTF-8 sequence"),             // overlong '/'
            ([0x22, 0xED, 0xA0, 0x80, 0x22], 1, "invalid UTF-8 sequence"),             // encoded surrogate
            ([0x22, 0xF4, 0x90, 0x80, 0x80, 0x22], 1, "invalid UTF-8 sequence"),       // above U+10FFFF
            ([0x22, 0xE2, 0x82, 0x22], 1, "invalid UTF-8 sequence"),                   // truncated
            ([0x22, 0x5C, 0x6E, 0x80, 0x22], 3, "invalid UTF-8 byte 0x80"),            // after an escape
            ([0x22, 0x5C, 0x6E, 0xE2, 0x82], 3, "invalid UTF-8 sequence"),             // truncated at the end
        ] as [([UInt8], Int, String)])
        func invalidUTF8(bytes: [UInt8], offset: Int, message: String) throws {
            let error = try #require(parseError(bytes))
            #expect(error.message == message)
            #expect(error.offset == offset)
        }

        @Test func validUTF8() throws {
            // 2-, 3- and 4-byte sequences at the edges of their ranges, with and without escapes.
            let text = "\u{80}\u{7FF}\u{800}\u{D7FF}\u{E000}\u{FFFF}\u{10000}\u{10FFFF}"
            #expect(try JSONValue.parse(Array("\"\(text)\"".utf8)) == .string(text))
            #expect(try JSONValue.parse(Array("\"\\t\(text)\"".utf8)) == .string("\t" + text))
        }

        @Test func nestingIsBounded() throws {
            let deep = String(repeating: "[", count: 600) + String(repeating: "]", count: 600)
            let error = try #require(parseError(Array(deep.utf8)))
            #expect(error.message == "nesting deeper than 512 levels")
            let ok = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
            #expect(parseError(Array(ok.utf8)) == nil)
        }
    }

    @Suite struct JSONSerializing {
        @Test func compactAndPretty() {
            let value: JSONValue = ["b": [1, "x", nil], "a": ["z": true, "y": [:]], "e": []]
            #expect(value.text() == #"{"b":[1,"x",null],"a":{"z":true,"y":{}},"e":[]}"#)
            #expect(value.text(pretty: true) == """
                {
                  "b": [
                    1,
                    "x",
                    null
                  ],
                  "a": {
                    "z": true,
                    "y": {}
                  },
                  "e": []
                }
                """)
        }

        @Test func escapesAndRoundTrips() throws {
            let tricky = "quote\" backslash\\ slash/ nl\n tab\t bell\u{7} nul\u{0} del\u{7F} é 😀"
            let text = JSONValue.string(tricky).text()
            #expect(text == #""quote\" backslash\\ slash/ nl\n tab\t bell\u0007 nul\u0000 del"# + "\u{7F} é 😀\"")
            #expect(try JSONValue.parse(text) == .string(tricky))
            // Foundation reads what we write.
            let foundation = try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
            #expect(foundation as? String == tricky)
        }

        @Test func objectsKeepInsertionOrder() throws {
            var object: JSONObject = ["z": 1, "a": 2]
            object["m"] = 3
            object["z"] = 4
            object["a"] = nil
            #expect(object.keys == ["z", "m"])
            #expect(JSONValue.object(object).text() == #"{"z":4,"m":3}"#)
            let parsed = try JSONValue.parse(#"{"k3":1,"k1":2,"k2":3}"#)
            #expect(parsed.objectValue?.keys == ["k3", "k1", "k2"])
            #expect(JSONNumber(Double.nan) == nil)
        }
    }

    @Suite struct Files {
        @Test func writeIsAtomicWithExactMode() throws {
            let dir = try temporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let path = dir + "/state.json"
            let old = umask(0o077)
            defer { umask(old) }
            try JSONFile.write(Array("first".utf8), to: path, mode: 0o644)
            try JSONFile.write(Array("second".utf8), to: path, mode: 0o640)
            #expect(try JSONFile.read(path) == Array("second".utf8))
            var st = stat()
            #expect(stat(path, &st) == 0)
            #expect(st.st_mode & 0o7777 == 0o640)
            #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["state.json"])
        }

        @Test func readsLargeAndProcFiles() throws {
            let dir = try temporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let big = (0..<200_000).map { UInt8(truncatingIfNeeded: $0) }
            try JSONFile.write(big, to: dir + "/big", mode: 0o600)
            #expect(try JSONFile.read(dir + "/big") == big)
            // /proc files report size 0.
            let status = try JSONFile.read("/proc/self/status")
            #expect(String(decoding: status, as: UTF8.self).hasPrefix("Name:"))
            #expect(throws: JSONFileError.self) { try JSONFile.read(dir + "/big", limit: 1000) }
        }

        @Test func readErrorsNameThePath() throws {
            let dir = try temporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: dir) }
            #expect(mkfifo(dir + "/fifo", 0o600) == 0)
            do {
                _ = try JSONFile.read(dir + "/fifo")
                Issue.record("reading a FIFO should fail")
            } catch {
                #expect(error.description == "cannot read \(dir)/fifo: not a regular file")
            }
            do {
                _ = try JSONFile.read(dir + "/missing")
                Issue.record("reading a missing file should fail")
            } catch {
                #expect(error.description == "cannot read \(dir)/missing: No such file or directory")
            }
            do {
                try JSONFile.write([1], to: dir + "/no/such/dir/file")
                Issue.record("writing into a missing directory should fail")
            } catch {
                #expect(error.description == "cannot write \(dir)/no/such/dir/file: No such file or directory")
            }
        }
    }
}

// MARK: - Decoding

extension SpecTests {
    @Suite struct Decoding {
        @Test func runcSpecDecodes() throws {
            let spec = try SpecDecoder.decode(Array(runcSpec.utf8))
            #expect(spec.ociVersion == "1.0.2-dev")
            #expect(spec.process?.terminal == true)
            #expect(spec.process?.args == ["sh"])
            #expect(spec.process?.cwd == "/")
            #expect(spec.process?.env.count == 2)
            #expect(spec.process?.capabilities?.ambient == ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"])
            #expect(spec.process?.capabilities?.inheritable == [])
            #expect(spec.process?.rlimits == [OCISpec.Rlimit(type: "RLIMIT_NOFILE", soft: 1024, hard: 1024)])
            #expect(spec.process?.noNewPrivileges == true)
            #expect(spec.root == OCISpec.Root(path: "rootfs", readonly: true))
            #expect(spec.hostname == "runc")
            #expect(spec.mounts.count == 7)
            #expect(spec.mounts[2] == OCISpec.Mount(destination: "/dev/pts", type: "devpts", source: "devpts",
                                                    options: ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"]))
            #expect(spec.linux?.namespaces.map(\.type) == ["pid", "network", "ipc", "uts", "mount"])
            #expect(spec.linux?.resources?.devices == [OCISpec.DeviceCgroupRule(allow: false, access: "rwm")])
            #expect(spec.linux?.maskedPaths.count == 10)
            #expect(spec.linux?.readonlyPaths.last == "/proc/sysrq-trigger")
        }

        @Test func everyFieldDecodes() throws {
            let spec = try SpecDecoder.decode(Array(kitchenSink.utf8))
            let process = try #require(spec.process)
            #expect(process.consoleSize == OCISpec.ConsoleSize(height: 24, width: 80))
            #expect(process.user == OCISpec.User(uid: 1000, gid: 1000, umask: 0o22, additionalGids: [5, 4294967295]))
            #expect(process.oomScoreAdj == -1000)
            #expect(process.rlimits[1] == OCISpec.Rlimit(type: "RLIMIT_CORE", soft: 0, hard: UInt64.max))
            let linux = try #require(spec.linux)
            #expect(linux.namespaces[1] == OCISpec.Namespace(type: "network", path: "/var/run/netns/x"))
            #expect(linux.devices == [
                OCISpec.Device(type: "c", path: "/dev/fuse", major: 10, minor: 229, fileMode: 438, uid: 0, gid: 0),
                OCISpec.Device(type: "p", path: "/dev/fifo", major: 0, minor: 0),
            ])
            #expect(linux.resources?.memory == OCISpec.Memory(limit: 536870912, reservation: -1, swap: 1073741824))
            #expect(linux.resources?.cpu == OCISpec.CPU(shares: 1024, quota: -1, period: 100000, cpus: "0-1", mems: "0"))
            #expect(linux.resources?.pids == OCISpec.Pids(limit: 100))
            #expect(linux.resources?.devices[1] == OCISpec.DeviceCgroupRule(allow: true, type: "c", major: 1, minor: 3, access: "rw"))
            let seccomp = try #require(linux.seccomp)
            #expect(seccomp.defaultErrnoRet == 1)
            #expect(seccomp.syscalls[1].args == [OCISpec.SyscallArg(index: 0, value: 0xFFFF_FFFF_FFFF_FFFF, valueTwo: 2, op: "SCMP_CMP_MASKED_EQ")])
            #expect(seccomp.syscalls[0].errnoRet == 38)
            #expect(linux.sysctl == ["net.ipv4.ip_forward": "1", "kernel.shmmax": "1000", "fs.mqueue.msg_max": "10"])
            #expect(linux.cgroupsPath == "/swiftlet/x")
            #expect(linux.rootfsPropagation == "rslave")
            #expect(spec.annotations == ["org.opencontainers.image.title": "x", "b": ""])
            #expect(spec.domainname == "example.org")
        }

        @Test func syntaxErrorsGiveLineAndColumn() {
            #expect(decodeError("{\n  \"ociVersion\": 1,,\n}")
                == "config.json:2:19: invalid JSON: unexpected character ',', expected a string key")
            #expect(decodeError("[1]") == "config.json: expected an object, got array")
        }

        @Test func missingBundle() {
            do {
                _ = try SpecDecoder.load(bundle: "/nonexistent-swiftlet-bundle")
                Issue.record("loading a missing bundle should fail")
            } catch {
                #expect(error.description == "cannot read /nonexistent-swiftlet-bundle/config.json: No such file or directory")
            }
        }

        @Test func loadsFromBundle() throws {
            let dir = try temporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: dir) }
            try JSONFile.write(Array(runcSpec.utf8), to: dir + "/config.json")
            #expect(try SpecDecoder.load(bundle: dir + "/").hostname == "runc")
        }

        @Test func reportsEveryIssue() throws {
            var json = setting("process.cwd", to: "relative")
            json = setting("mounts", to: [["destination": "proc"]], in: json)
            json = setting("hooks.poststop", to: [["path": "x"]], in: json)
            #expect(decodeError(json) == """
                config.json: process.cwd: must be an absolute path, got "relative"
                config.json: mounts[0].destination: must be an absolute path, got "proc"
                config.json: hooks.poststop[0].path: must be an absolute path, got "x"
                """)
        }

        @Test func hooksDecodeInOrderWithEveryField() throws {
            let json = setting("hooks", to: [
                "prestart": [["path": "/usr/bin/net", "args": ["net", "up"], "env": ["A=1", "B="], "timeout": 5]],
                "createRuntime": [["path": "/a"], ["path": "/b", "args": []]],
                "createContainer": [["path": "/c"]],
                "startContainer": [["path": "/bin/sh", "args": ["sh", "-c", "true"]]],
                "poststart": [["path": "/d", "timeout": 1]],
                "poststop": [["path": "/e", "env": []]],
            ])
            let hooks = try SpecDecoder.decode(json.serialized()).hooks
            #expect(hooks.prestart == [OCISpec.Hook(path: "/usr/bin/net", args: ["net", "up"], env: ["A=1", "B="], timeout: 5)])
            #expect(hooks.createRuntime == [OCISpec.Hook(path: "/a"), OCISpec.Hook(path: "/b")])
            #expect(hooks.createContainer == [OCISpec.Hook(path: "/c")])
            #expect(hooks.startContainer == [OCISpec.Hook(path: "/bin/sh", args: ["sh", "-c", "true"])])
            #expect(hooks.poststart == [OCISpec.Hook(path: "/d", timeout: 1)])
            #expect(hooks.poststop == [OCISpec.Hook(path: "/e")])
            #expect(try SpecDecoder.decode(minimal.serialized()).hooks.isEmpty)
        }

        @Test func minimalConfigDecodes() throws {
            #expect(decodeError(minimal) == nil)
        }

        /// LSM labels: ignored on a host without that LSM (runc's rule; podman sets a profile
        /// whenever it can), refused by name where the host runs it.
        @Test(arguments: [
            ("process.apparmorProfile", "docker-default", "AppArmor", "/sys/module/apparmor/parameters/enabled"),
            ("process.selinuxLabel", "system_u:system_r:container_t:s0", "SELinux", "/sys/fs/selinux/enforce"),
            ("linux.mountLabel", "system_u:object_r:container_file_t:s0", "SELinux", "/sys/fs/selinux/enforce"),
        ])
        func labelsFollowTheHostsLSM(field: String, value: String, lsm: String, hostFile: String) {
            let text = (try? String(contentsOfFile: hostFile, encoding: .utf8)) ?? ""
            let hostRuns = lsm == "AppArmor" ? text.hasPrefix("Y") : FileManager.default.fileExists(atPath: hostFile)
            let error = decodeError(setting(field, to: .string(value), in: minimal))
            if hostRuns {
                #expect(error == "\(field): \(lsm) is enabled on this host and swiftlet-runtime cannot apply \(lsm == "AppArmor" ? "profiles" : "labels"); remove the field")
            } else {
                #expect(error == nil, "a \(lsm) label is ignored on a host without \(lsm)")
            }
        }

        /// Fields that are accepted and have no effect.
        @Test(arguments: [
            ("annotations", ["org.opencontainers.x": "y"]),
            ("hooks", [:]),
            ("hooks", ["prestart": [], "poststop": nil]),
            ("hooks", ["futurePhase": []]),
            ("hooks", ["prestart": [["path": "/bin/true", "futureField": 1]]]),
            ("process.apparmorProfile", ""),
            ("process.selinuxLabel", ""),
            ("process.commandLine", "sh -c true"),
            ("process.user.username", "root"),
            ("process.execCPUAffinity", ["initial": "0"]),
            ("linux.mountLabel", ""),
            ("linux.uidMappings", []),
            ("linux.gidMappings", nil),
            ("linux.timeOffsets", [:]),
            ("linux.resources.blockIO", ["weight": 10]),
            ("linux.resources.unified", ["memory.high": "1G"]),
            ("linux.resources.hugepageLimits", [["pageSize": "2MB", "limit": 0]]),
            ("linux.resources.memory.swappiness", 0),
            ("linux.resources.cpu.realtimeRuntime", 0),
            ("linux.seccomp", ["defaultAction": "SCMP_ACT_ALLOW", "listenerPath": "", "listenerMetadata": "x"]),
            ("linux.futureField", ["anything": 1]),
            ("windows", ["layerFolders": []]),
            ("solaris", [:]),
            ("hostname", nil),
            ("mounts", [["destination": "/x", "type": "bind", "source": "/y", "options": ["rbind"], "uidMappings": []]]),
        ] as [(String, JSONValue)])
        func harmlessFieldsAreIgnored(path: String, value: JSONValue) {
            #expect(decodeError(setting(path, to: value)) == nil)
        }

        /// Each rejection names its path and says why.
        @Test(arguments: [
            // Types and required fields.
            ("process.args", [1], "process.args[0]: expected a string, got number"),
            ("process.args", "sh", "process.args: expected an array, got string"),
            ("process.terminal", "yes", "process.terminal: expected a boolean, got string"),
            ("process.user.uid", -1, "process.user.uid: expected an unsigned 32-bit integer, got -1"),
            ("process.user.gid", .number(JSONNumber(1.5)!), "process.user.gid: expected an unsigned 32-bit integer, got 1.5"),
            ("process.user", nil, "process.user: required field is missing"),
            ("process.cwd", nil, "process.cwd: required field is missing"),
            ("process.cwd", "/a\u{0}b", "process.cwd: must not contain a NUL character"),
            ("root.path", nil, "root.path: required field is missing"),
            ("root", nil, "root: required field is missing"),
            ("process", nil, "process: required field is missing"),
            ("ociVersion", nil, "ociVersion: required field is missing"),
            ("linux.namespaces", [["path": "/proc/1/ns/net"]], "linux.namespaces[0].type: required field is missing"),
            ("linux.sysctl", ["net.ipv4.ip_forward": 1], #"linux.sysctl["net.ipv4.ip_forward"]: expected a string, got number"#),
            ("annotations", ["a.b": true], #"annotations["a.b"]: expected a string, got boolean"#),
            // Unsupported features.
            // Hooks.
            ("hooks", ["prestart": [["path": "bin/true"]]], #"hooks.prestart[0].path: must be an absolute path, got "bin/true""#),
            ("hooks", ["poststop": [["path": "/a"], ["args": ["x"]]]], "hooks.poststop[1].path: required field is missing"),
            ("hooks", ["createRuntime": [["path": "/bin/true", "timeout": 0]]], "hooks.createRuntime[0].timeout: must be greater than 0 (seconds), got 0"),
            ("hooks", ["startContainer": [["path": "/bin/true", "timeout": -3]]], "hooks.startContainer[0].timeout: must be greater than 0 (seconds), got -3"),
            ("hooks", ["poststart": [["path": "/bin/true", "timeout": "5"]]], "hooks.poststart[0].timeout: expected a 64-bit integer, got string"),
            ("hooks", ["createContainer": [["path": "/bin/true", "env": ["NOEQUALS"]]]], #"hooks.createContainer[0].env[0]: expected NAME=value, got "NOEQUALS""#),
            ("hooks", ["prestart": [["path": "/bin/true", "args": "true"]]], "hooks.prestart[0].args: expected an array, got string"),
            ("hooks", ["prestart": "/bin/true"], "hooks.prestart: expected an array, got string"),
            ("hooks", ["futurePhase": [["path": "/bin/true"]]], "hooks.futurePhase: unknown hook phase; swiftlet-runtime runs prestart, createRuntime, createContainer, startContainer, poststart, poststop hooks and refuses others rather than skip them"),
            ("vm", ["hypervisor": ["path": "/usr/bin/qemu"]], "vm: running containers in virtual machines is not supported by swiftlet-runtime; remove the field"),
            ("process.ioPriority", ["class": "IOPRIO_CLASS_IDLE", "priority": 0], "process.ioPriority: I/O priorities are not supported by swiftlet-runtime; remove the field"),
            ("process.scheduler", ["policy": "SCHED_OTHER"], "process.scheduler: scheduling policies are not supported by swiftlet-runtime; remove the field"),
            ("linux.personality", ["domain": "LINUX32"], "linux.personality: personality domains are not supported by swiftlet-runtime; remove the field"),
            ("linux.intelRdt", ["closID": "guaranteed_group"], "linux.intelRdt: Intel RDT is not supported by swiftlet-runtime; remove the field"),
            ("linux.timeOffsets", ["monotonic": ["secs": 1, "nanosecs": 0]], "linux.timeOffsets: time namespaces are not supported by swiftlet-runtime; remove the field"),
            ("linux.uidMappings", [["containerID": 0, "hostID": 1000, "size": 1]], "linux.uidMappings: user namespaces are not supported by swiftlet-runtime; remove the mappings"),
            ("linux.gidMappings", [["containerID": 0, "hostID": 1000, "size": 1]], "linux.gidMappings: user namespaces are not supported by swiftlet-runtime; remove the mappings"),
            ("mounts", [["destination": "/x", "type": "bind", "source": "/y", "uidMappings": [["containerID": 0, "hostID": 1, "size": 1]]]], "mounts[0].uidMappings: id-mapped mounts are not supported by swiftlet-runtime; remove the mappings"),
            ("linux.namespaces", [["type": "mount"], ["type": "user"]], "linux.namespaces[1].type: user namespaces are not supported by swiftlet-runtime"),
            ("linux.namespaces", [["type": "mount"], ["type": "time"]], "linux.namespaces[1].type: time namespaces are not supported by swiftlet-runtime"),
            ("linux.seccomp", ["defaultAction": "SCMP_ACT_ALLOW", "listenerPath": "/run/agent.sock"], "linux.seccomp.listenerPath: seccomp agents are not supported by swiftlet-runtime; remove the field"),
            ("linux.seccomp", ["defaultAction": "SCMP_ACT_NOTIFY"], "linux.seccomp.defaultAction: SCMP_ACT_NOTIFY needs a seccomp agent, which swiftlet-runtime does not support"),
            ("linux.seccomp", ["defaultAction": "SCMP_ACT_ALLOW", "syscalls": [["names": ["mount"], "action": "SCMP_ACT_NOTIFY"]]], "linux.seccomp.syscalls[0].action: SCMP_ACT_NOTIFY needs a seccomp agent, which swiftlet-runtime does not support"),
            ("linux.seccomp", ["defaultAction": "SCMP_ACT_ALLOW", "flags": ["SECCOMP_FILTER_FLAG_NEW_LISTENER"]], "linux.seccomp.flags[0]: SECCOMP_FILTER_FLAG_NEW_LISTENER needs a seccomp agent, which swiftlet-runtime does not support"),
            ("linux.seccomp", ["defaultAction": "SCMP_ACT_ALLOW", "comment": "x"], "linux.seccomp.comment: unknown field; swiftlet-runtime refuses fields it does not know in security settings rather than ignoring them"),
            ("linux.seccomp", ["defaultAction": "SCMP_ACT_ALLOW", "syscalls": [["name": "mount", "action": "SCMP_ACT_ERRNO"]]], """
                linux.seccomp.syscalls[0].name: unknown field; swiftlet-runtime refuses fields it does not know in security settings rather than ignoring them
                linux.seccomp.syscalls[0].names: required field is missing
                """),
            ("process.capabilities", ["bounding": [], "extra": []], "process.capabilities.extra: unknown field; swiftlet-runtime refuses fields it does not know in security settings rather than ignoring them"),
            // Validation.
            ("ociVersion", "2.0.0", #"ociVersion: unsupported version "2.0.0"; swiftlet-runtime reads 1.x configs"#),
            ("root.path", "", "root.path: must not be empty"),
            ("process.args", [], "process.args: must not be empty"),
            ("process.args", [""], "process.args[0]: must not be empty"),
            ("process.cwd", "tmp", #"process.cwd: must be an absolute path, got "tmp""#),
            ("process.env", ["A=1", "NOEQUALS"], #"process.env[1]: expected NAME=value, got "NOEQUALS""#),
            ("process.env", ["=x"], #"process.env[0]: expected NAME=value, got "=x""#),
            ("process.user.umask", 512, "process.user.umask: must be at most 511 (0777), got 512"),
            ("process.oomScoreAdj", 1001, "process.oomScoreAdj: must be between -1000 and 1000, got 1001"),
            ("process.rlimits", [["type": "RLIMIT_FOO", "soft": 1, "hard": 1]], #"process.rlimits[0].type: unknown rlimit "RLIMIT_FOO""#),
            ("process.rlimits", [["type": "RLIMIT_NOFILE", "soft": 2, "hard": 1]], "process.rlimits[0]: soft limit 2 is greater than hard limit 1"),
            ("process.rlimits", [["type": "RLIMIT_NOFILE", "soft": 1, "hard": 1], ["type": "RLIMIT_NOFILE", "soft": 1, "hard": 1]], #"process.rlimits[1].type: duplicate rlimit "RLIMIT_NOFILE""#),
            ("process.rlimits", [["type": "RLIMIT_NOFILE", "soft": 1]], "process.rlimits[0].hard: required field is missing"),
            ("mounts", [["destination": "proc", "type": "proc"]], #"mounts[0].destination: must be an absolute path, got "proc""#),
            ("mounts", [["type": "proc"]], "mounts[0].destination: required field is missing"),
            ("hostname", "box", "hostname: setting it needs a uts namespace in linux.namespaces"),
            ("linux.namespaces", [["type": "mount"], ["type": "pid"], ["type": "foo"]], #"linux.namespaces[2].type: unknown namespace type "foo"; expected one of cgroup, ipc, mount, network, pid, uts"#),
            ("linux.namespaces", [["type": "mount"], ["type": "mount"]], #"linux.namespaces[1].type: duplicate namespace type "mount""#),
            ("linux.namespaces", [["type": "pid"]], "linux.namespaces: a mount namespace is required: swiftlet-runtime always pivots into the container's root"),
            ("linux", nil, "linux.namespaces: a mount namespace is required: swiftlet-runtime always pivots into the container's root"),
            ("linux.namespaces", [["type": "mount"], ["type": "network", "path": "run/netns/x"]], #"linux.namespaces[1].path: must be an absolute path, got "run/netns/x""#),
            ("linux.devices", [["type": "x", "path": "/dev/x", "major": 1, "minor": 1]], #"linux.devices[0].type: unknown device type "x"; expected c, b, u or p"#),
            ("linux.devices", [["type": "c", "path": "/dev/x", "major": 1]], "linux.devices[0].minor: required field is missing"),
            ("linux.devices", [["type": "c", "path": "dev/x", "major": 1, "minor": 3]], #"linux.devices[0].path: must be an absolute path, got "dev/x""#),
            ("linux.resources.devices", [["allow": true, "access": "rwx"]], #"linux.resources.devices[0].access: expected a combination of r, w and m, got "rwx""#),
            ("linux.resources.devices", [["allow": true, "type": "z"]], #"linux.resources.devices[0].type: unknown device type "z"; expected a, b or c"#),
            ("linux.resources.devices", [["access": "rwm"]], "linux.resources.devices[0].allow: required field is missing"),
            ("linux.resources.memory", ["limit": 2000, "swap": 1000], "linux.resources.memory.swap: memory+swap limit 1000 is smaller than the memory limit 2000"),
            ("linux.resources.pids", [:], "linux.resources.pids.limit: required field is missing"),
            ("linux.seccomp", ["defaultAction": "SCMP_ACT_FOO"], #"linux.seccomp.defaultAction: unknown seccomp action "SCMP_ACT_FOO"; expected one of SCMP_ACT_KILL, SCMP_ACT_KILL_PROCESS, SCMP_ACT_KILL_THREAD, SCMP_ACT_TRAP, SCMP_ACT_ERRNO, SCMP_ACT_TRACE, SCMP_ACT_ALLOW, SCMP_ACT_LOG"#),
            ("linux.seccomp", ["syscalls": []], "linux.seccomp.defaultAction: required field is missing"),
            ("linux.seccomp", ["defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_PDP11"]], #"linux.seccomp.architectures[0]: unknown architecture "SCMP_ARCH_PDP11""#),
            ("linux.seccomp", ["defaultAction": "SCMP_ACT_ALLOW", "flags": ["SECCOMP_FILTER_FLAG_FOO"]], #"linux.seccomp.flags[0]: unknown flag "SECCOMP_FILTER_FLAG_FOO"; expected SECCOMP_FILTER_FLAG_LOG, SECCOMP_FILTER_FLAG_SPEC_ALLOW or SECCOMP_FILTER_FLAG_TSYNC"#),
            ("linux.seccomp", ["defaultAction": "SCMP_ACT_ALLOW", "syscalls": [["names": [], "action": "SCMP_ACT_ERRNO"]]], "linux.seccomp.syscalls[0].names: must not be empty"),
            ("linux.seccomp", ["defaultAction": "SCMP_ACT_ALLOW", "syscalls": [["names": ["kill"], "action": "SCMP_ACT_ERRNO", "args": [["index": 6, "value": 1, "op": "SCMP_CMP_EQ"]]]]], "linux.seccomp.syscalls[0].args[0].index: must be 0 to 5 (a syscall has six arguments), got 6"),
            ("linux.seccomp", ["defaultAction": "SCMP_ACT_ALLOW", "syscalls": [["names": ["kill"], "action": "SCMP_ACT_ERRNO", "args": [["index": 0, "value": 1, "op": "SCMP_CMP_XX"]]]]], #"linux.seccomp.syscalls[0].args[0].op: unknown operator "SCMP_CMP_XX"; expected one of SCMP_CMP_NE, SCMP_CMP_LT, SCMP_CMP_LE, SCMP_CMP_EQ, SCMP_CMP_GE, SCMP_CMP_GT, SCMP_CMP_MASKED_EQ"#),
            ("linux.maskedPaths", ["/proc/kcore", "proc/keys"], #"linux.maskedPaths[1]: must be an absolute path, got "proc/keys""#),
            ("linux.readonlyPaths", ["sys"], #"linux.readonlyPaths[0]: must be an absolute path, got "sys""#),
            ("linux.rootfsPropagation", "recursive", #"linux.rootfsPropagation: unknown propagation "recursive"; expected one of private, rprivate, slave, rslave, shared, rshared, unbindable, runbindable"#),
            ("linux.cgroupsPath", "/a/../../b", #"linux.cgroupsPath: must not contain "..", got "/a/../../b""#),
            ("linux.sysctl", ["kernel.core_pattern": "|/x"], #"linux.sysctl["kernel.core_pattern"]: this sysctl is not isolated by any namespace; setting it would change the host"#),
            ("linux.sysctl", ["net.ipv4.ip_forward": "1"], #"linux.sysctl["net.ipv4.ip_forward"]: setting it needs a network namespace in linux.namespaces"#),
            ("linux.sysctl", ["kernel.shmmax": "1"], #"linux.sysctl["kernel.shmmax"]: setting it needs a ipc namespace in linux.namespaces"#),
            ("linux.sysctl", ["net/../kernel/core_pattern": "x"], #"linux.sysctl["net/../kernel/core_pattern"]: invalid sysctl name; expected dot-separated names such as net.ipv4.ip_forward"#),
            ("linux.sysctl", ["net..x": "x"], #"linux.sysctl["net..x"]: invalid sysctl name; expected dot-separated names such as net.ipv4.ip_forward"#),
            ("linux.sysctl", ["kernel.hostname": "x"], #"linux.sysctl["kernel.hostname"]: set the top-level hostname field instead"#),
        ] as [(String, JSONValue?, String)])
        func rejected(path: String, value: JSONValue?, message: String) {
            let expected = message.split(separator: "\n").map { "config.json: " + $0 }.joined(separator: "\n")
            #expect(decodeError(setting(path, to: value)) == expected)
        }
    }
}

// MARK: - Encoding and the default spec

extension SpecTests {
    @Suite struct RoundTrip {
        @Test(arguments: ["runc", "kitchenSink"])
        func decodeEncodeDecode(name: String) throws {
            let original = try SpecDecoder.decode(Array((name == "runc" ? runcSpec : kitchenSink).utf8))
            let compact = try SpecDecoder.decode(SpecEncoder.encode(original).serialized())
            let pretty = try SpecDecoder.decode(SpecEncoder.configJSON(original))
            #expect(compact == original)
            #expect(pretty == original)
            // Encoding is deterministic.
            #expect(SpecEncoder.encode(compact) == SpecEncoder.encode(original))
        }

        @Test func hooksRoundTripExactly() throws {
            var spec = DefaultSpec.make()
            spec.hooks = OCISpec.Hooks(
                prestart: [OCISpec.Hook(path: "/p", args: ["p", "--x"], env: ["K=V"], timeout: 3)],
                createRuntime: [OCISpec.Hook(path: "/cr"), OCISpec.Hook(path: "/cr2", env: ["E="])],
                startContainer: [OCISpec.Hook(path: "/bin/sh", args: ["sh", "-c", "echo \"hi\""])],
                poststop: [OCISpec.Hook(path: "/ps", timeout: 60)])
            try spec.validate()
            #expect(try SpecDecoder.decode(SpecEncoder.configJSON(spec)) == spec)
            let hooks = try #require(SpecEncoder.encode(spec).objectValue?["hooks"]?.objectValue)
            // Empty phases and empty/absent members are left out.
            #expect(hooks.members.map(\.key) == ["prestart", "createRuntime", "startContainer", "poststop"])
            #expect(SpecEncoder.encode(DefaultSpec.make()).objectValue?["hooks"] == nil)
        }

        @Test func defaultSpecIsValidAndRoundTrips() throws {
            let spec = DefaultSpec.make()
            try spec.validate()
            #expect(try SpecDecoder.decode(SpecEncoder.configJSON(spec)) == spec)
            let custom = DefaultSpec.make(rootfs: "/var/lib/rootfs", args: ["/bin/echo", "hi"], terminal: true)
            try custom.validate()
            #expect(try SpecDecoder.decode(SpecEncoder.encode(custom).serialized()) == custom)
            #expect(custom.process?.terminal == true)
            #expect(custom.root?.path == "/var/lib/rootfs")
        }

        @Test func defaultSpecProfile() throws {
            let spec = DefaultSpec.make()
            let process = try #require(spec.process)
            let caps = try #require(process.capabilities)
            #expect(caps.bounding.count == 14)
            #expect(caps.effective == caps.bounding)
            #expect(caps.permitted == caps.bounding)
            #expect(caps.inheritable.isEmpty && caps.ambient.isEmpty)
            #expect(!caps.bounding.contains("CAP_SYS_ADMIN"))
            #expect(process.noNewPrivileges)
            #expect(process.rlimits == [OCISpec.Rlimit(type: "RLIMIT_NOFILE", soft: 1024, hard: 1024)])
            #expect(spec.hostname == "swiftlet")
            let linux = try #require(spec.linux)
            #expect(linux.namespaces.map(\.type) == ["pid", "network", "ipc", "uts", "mount", "cgroup"])
            #expect(linux.maskedPaths.contains("/sys/devices/virtual/powercap"))
            #expect(linux.maskedPaths.contains("/proc/kcore"))
            #expect(linux.readonlyPaths == ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"])
            #expect(linux.resources?.devices == [OCISpec.DeviceCgroupRule(allow: false, access: "rwm")])
            #expect(linux.seccomp != nil)
            #expect(spec.mounts.map(\.destination) == ["/proc", "/dev", "/dev/pts", "/dev/shm", "/dev/mqueue", "/sys", "/sys/fs/cgroup"])
        }

        @Test func validateReportsProgrammaticMistakes() {
            var spec = DefaultSpec.make()
            spec.process?.args = []
            spec.linux?.namespaces.append(OCISpec.Namespace(type: "user"))
            do {
                try spec.validate()
                Issue.record("validation should fail")
            } catch {
                #expect(error.issues.map(\.path) == ["process.args", "linux.namespaces[6].type"])
            }
        }

        /// The runtime spec: for unknown capability names a runtime SHOULD log a warning and
        /// SHOULD NOT fail (runc does so). The decoder accepts them; the planner warns.
        @Test func unknownCapabilityNamesAreNotRefused() throws {
            let json = setting("process.capabilities", to: ["bounding": ["CAP_CHOWN", "CAP_FOO"], "ambient": ["net_raw"]])
            #expect(decodeError(json) == nil)
            let (mask, warnings) = ProcessPlanner.capabilityMask(["CAP_CHOWN", "CAP_FOO", "net_raw"],
                                                                 field: "process.capabilities.bounding", lastCap: 40)
            #expect(mask == 1)
            #expect(warnings == [#"process.capabilities.bounding: unknown capability "CAP_FOO" ignored"#,
                                 #"process.capabilities.bounding: unknown capability "net_raw" ignored; did you mean "CAP_NET_RAW"?"#])
        }
    }
}

// MARK: - Fixtures

/// `runc spec` output (runc 1.1.5, Debian 12), verbatim.
private let runcSpec = #"""
{
	"ociVersion": "1.0.2-dev",
	"process": {
		"terminal": true,
		"user": {
			"uid": 0,
			"gid": 0
		},
		"args": [
			"sh"
		],
		"env": [
			"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
			"TERM=xterm"
		],
		"cwd": "/",
		"capabilities": {
			"bounding": [
				"CAP_AUDIT_WRITE",
				"CAP_KILL",
				"CAP_NET_BIND_SERVICE"
			],
			"effective": [
				"CAP_AUDIT_WRITE",
				"CAP_KILL",
				"CAP_NET_BIND_SERVICE"
			],
			"permitted": [
				"CAP_AUDIT_WRITE",
				"CAP_KILL",
				"CAP_NET_BIND_SERVICE"
			],
			"ambient": [
				"CAP_AUDIT_WRITE",
				"CAP_KILL",
				"CAP_NET_BIND_SERVICE"
			]
		},
		"rlimits": [
			{
				"type": "RLIMIT_NOFILE",
				"hard": 1024,
				"soft": 1024
			}
		],
		"noNewPrivileges": true
	},
	"root": {
		"path": "rootfs",
		"readonly": true
	},
	"hostname": "runc",
	"mounts": [
		{
			"destination": "/proc",
			"type": "proc",
			"source": "proc"
		},
		{
			"destination": "/dev",
			"type": "tmpfs",
			"source": "tmpfs",
			"options": [
				"nosuid",
				"strictatime",
				"mode=755",
				"size=65536k"
			]
		},
		{
			"destination": "/dev/pts",
			"type": "devpts",
			"source": "devpts",
			"options": [
				"nosuid",
				"noexec",
				"newinstance",
				"ptmxmode=0666",
				"mode=0620",
				"gid=5"
			]
		},
		{
			"destination": "/dev/shm",
			"type": "tmpfs",
			"source": "shm",
			"options": [
				"nosuid",
				"noexec",
				"nodev",
				"mode=1777",
				"size=65536k"
			]
		},
		{
			"destination": "/dev/mqueue",
			"type": "mqueue",
			"source": "mqueue",
			"options": [
				"nosuid",
				"noexec",
				"nodev"
			]
		},
		{
			"destination": "/sys",
			"type": "sysfs",
			"source": "sysfs",
			"options": [
				"nosuid",
				"noexec",
				"nodev",
				"ro"
			]
		},
		{
			"destination": "/sys/fs/cgroup",
			"type": "cgroup",
			"source": "cgroup",
			"options": [
				"nosuid",
				"noexec",
				"nodev",
				"relatime",
				"ro"
			]
		}
	],
	"linux": {
		"resources": {
			"devices": [
				{
					"allow": false,
					"access": "rwm"
				}
			]
		},
		"namespaces": [
			{
				"type": "pid"
			},
			{
				"type": "network"
			},
			{
				"type": "ipc"
			},
			{
				"type": "uts"
			},
			{
				"type": "mount"
			}
		],
		"maskedPaths": [
			"/proc/acpi",
			"/proc/asound",
			"/proc/kcore",
			"/proc/keys",
			"/proc/latency_stats",
			"/proc/timer_list",
			"/proc/timer_stats",
			"/proc/sched_debug",
			"/sys/firmware",
			"/proc/scsi"
		],
		"readonlyPaths": [
			"/proc/bus",
			"/proc/fs",
			"/proc/irq",
			"/proc/sys",
			"/proc/sysrq-trigger"
		]
	}
}
"""#

/// A config that sets every field OCISpec models.
private let kitchenSink = #"""
{
  "ociVersion": "1.2.0",
  "hooks": {
    "prestart": [{"path": "/usr/bin/net", "args": ["net", "up"], "env": ["A=1"], "timeout": 5}],
    "createRuntime": [{"path": "/a"}, {"path": "/b", "args": []}],
    "createContainer": [{"path": "/c", "env": ["X=\u00e9"]}],
    "startContainer": [{"path": "/bin/sh", "args": ["sh", "-c", "true"]}],
    "poststart": [{"path": "/d", "timeout": 1}],
    "poststop": [{"path": "/e"}]
  },
  "process": {
    "terminal": true,
    "consoleSize": {"height": 24, "width": 80},
    "user": {"uid": 1000, "gid": 1000, "umask": 18, "additionalGids": [5, 4294967295]},
    "args": ["/bin/sh", "-c", "echo \"hi\" \u00e9"],
    "env": ["PATH=/bin", "EMPTY="],
    "cwd": "/home/user",
    "capabilities": {
      "bounding": ["CAP_CHOWN", "CAP_CHECKPOINT_RESTORE"],
      "effective": ["CAP_CHOWN"],
      "inheritable": [],
      "permitted": ["CAP_CHOWN"],
      "ambient": []
    },
    "rlimits": [
      {"type": "RLIMIT_NOFILE", "hard": 4096, "soft": 1024},
      {"type": "RLIMIT_CORE", "hard": 18446744073709551615, "soft": 0}
    ],
    "noNewPrivileges": true,
    "oomScoreAdj": -1000
  },
  "root": {"path": "/var/lib/rootfs", "readonly": false},
  "hostname": "box",
  "domainname": "example.org",
  "mounts": [
    {"destination": "/proc", "type": "proc", "source": "proc"},
    {"destination": "/data", "type": "bind", "source": "/srv/data", "options": ["rbind", "ro"]},
    {"destination": "/tmp"}
  ],
  "linux": {
    "namespaces": [
      {"type": "mount"}, {"type": "network", "path": "/var/run/netns/x"}, {"type": "ipc"},
      {"type": "uts"}, {"type": "pid"}, {"type": "cgroup"}
    ],
    "devices": [
      {"type": "c", "path": "/dev/fuse", "major": 10, "minor": 229, "fileMode": 438, "uid": 0, "gid": 0},
      {"type": "p", "path": "/dev/fifo"}
    ],
    "cgroupsPath": "/swiftlet/x",
    "resources": {
      "devices": [
        {"allow": false, "access": "rwm"},
        {"allow": true, "type": "c", "major": 1, "minor": 3, "access": "rw"}
      ],
      "memory": {"limit": 536870912, "reservation": -1, "swap": 1073741824},
      "cpu": {"shares": 1024, "quota": -1, "period": 100000, "cpus": "0-1", "mems": "0"},
      "pids": {"limit": 100}
    },
    "seccomp": {
      "defaultAction": "SCMP_ACT_ERRNO",
      "defaultErrnoRet": 1,
      "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86"],
      "flags": ["SECCOMP_FILTER_FLAG_SPEC_ALLOW"],
      "syscalls": [
        {"names": ["clone3"], "action": "SCMP_ACT_ERRNO", "errnoRet": 38},
        {"names": ["personality"], "action": "SCMP_ACT_ALLOW",
         "args": [{"index": 0, "value": 18446744073709551615, "valueTwo": 2, "op": "SCMP_CMP_MASKED_EQ"}]},
        {"names": ["read", "write"], "action": "SCMP_ACT_ALLOW"}
      ]
    },
    "sysctl": {"net.ipv4.ip_forward": "1", "kernel.shmmax": "1000", "fs.mqueue.msg_max": "10"},
    "maskedPaths": ["/proc/kcore"],
    "readonlyPaths": ["/proc/sys"],
    "rootfsPropagation": "rslave"
  },
  "annotations": {"org.opencontainers.image.title": "x", "b": ""}
}
"""#
