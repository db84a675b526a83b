// swiftlet-leakcheck [--without-clone3] BUNDLE COUNT: starts COUNT containers from BUNDLE in a
// row through the library, in this one quiet process (every tenth with a missing program, to
// cover the error path), and compares the process's fds, the host's mount table and swiftlet's
// cgroup directories before and after. Each container's init is checked to run in its own v2
// cgroup. --without-clone3 first makes clone3 fail with ENOSYS here (a seccomp filter), as on
// kernels before 5.3, so the clone(2) + cgroup.procs fallback is what runs. Prints what
// differs; exits 1 if anything does.
import CShims
import ContainerRuntime
#if canImport(Glibc)
import Glibc
#endif

func openFDs() -> Set<String> {
    var out = Set<String>()
    guard let d = opendir("/proc/self/fd") else { return out }
    defer { closedir(d) }
    let own = dirfd(d)
    while let e = readdir(d) {
        let name = withUnsafeBytes(of: e.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        guard let fd = Int32(name), fd != own else { continue }
        var buf = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/fd/\(name)", &buf, buf.count - 1)
        let target = n > 0 ? String(decoding: buf[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self) : "?"
        out.insert("\(name) -> \(target)")
    }
    return out
}

func cgroupDirs() -> Set<String> {
    var out = Set<String>()
    func walk(_ path: String, depth: Int) {
        guard depth < 8, let d = opendir(path) else { return }
        defer { closedir(d) }
        while let e = readdir(d) {
            guard e.pointee.d_type == UInt8(DT_DIR) else { continue }
            let name = withUnsafeBytes(of: e.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name == "." || name == ".." { continue }
            let child = path + "/" + name
            if child.contains("/swiftlet/") { out.insert(child) }
            walk(child, depth: depth + 1)
        }
    }
    walk("/sys/fs/cgroup", depth: 0)
    return out
}

var args = Array(CommandLine.arguments.dropFirst())
let withoutClone3 = args.first == "--without-clone3"
if withoutClone3 { args.removeFirst() }
guard args.count == 2, let count = Int(args[1]) else {
    print("usage: swiftlet-leakcheck [--without-clone3] BUNDLE COUNT")
    exit(2)
}
let bundle = args[0]
if withoutClone3 {
    let noClone3 = OCISpec.Seccomp(defaultAction: "SCMP_ACT_ALLOW",
                                   syscalls: [.init(names: ["clone3"], action: "SCMP_ACT_ERRNO", errnoRet: UInt32(ENOSYS))])
    do {
        let program = try SeccompCompiler.compile(noClone3)
        let r = program.withUnsafePointer { sl_seccomp_load($0, $1, 0) }
        guard r == 0 else { print("loading the clone3 filter failed: \(Errno(-r))"); exit(2) }
    } catch { print("\(error)"); exit(2) }
}

/// The init's v2 cgroup as /proc/<pid>/cgroup names it ("/swiftlet/<id>").
func v2CgroupOf(_ pid: Int32) -> String? {
    guard let text = Files.readText("/proc/\(pid)/cgroup") else { return nil }
    return text.split(separator: "\n").first { $0.hasPrefix("0::") }.map { String($0.dropFirst(3)) }
}
let spec: OCISpec
do { spec = try SpecDecoder.load(bundle: bundle) } catch { print("\(error)"); exit(2) }
let failing: OCISpec = {
    var s = spec
    s.process?.args = ["/no/such/program"]
    return s
}()

@MainActor func once(_ i: Int) -> Bool {
    let broken = i % 10 == 9
    do {
        let c = try Container.start(id: "leakcheck-\(getpid())-\(i)", spec: broken ? failing : spec, bundle: bundle,
                                    options: LaunchOptions(dieWithParent: true))
        // The init is a zombie at worst here (not reaped yet): its cgroup is still readable.
        if let v2 = c.cgroup.paths.v2 {
            let expected = "/" + v2.split(separator: "/").suffix(2).joined(separator: "/")
            let actual = v2CgroupOf(c.pid) ?? "(unreadable)"
            if actual != expected {
                print("container \(i) runs in \(actual), not in \(expected)")
                _ = c.wait()
                try? c.destroy()
                return false
            }
        }
        let status = c.wait()
        try c.destroy()
        return !broken && status.code == 0
    } catch {
        return broken
    }
}

_ = once(0)   // lazily created parents (the swiftlet cgroups) exist before counting
let fds = openFDs(), mounts = Files.readText("/proc/self/mountinfo") ?? "", cgroups = cgroupDirs()
var bad = 0
for i in 1...count where !once(i) { bad += 1 }
let newFDs = openFDs().subtracting(fds), newCgroups = cgroupDirs().subtracting(cgroups)
let mountsSame = (Files.readText("/proc/self/mountinfo") ?? "") == mounts
print("containers: \(count), unexpected outcomes: \(bad)")
print("leaked fds: \(newFDs.sorted())")
print("leaked cgroups: \(newCgroups.sorted())")
print("mount table unchanged: \(mountsSame)")
exit(bad == 0 && newFDs.isEmpty && newCgroups.isEmpty && mountsSame ? 0 : 1)
