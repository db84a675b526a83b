// swiftlet-leakcheck BUNDLE COUNT: starts COUNT containers from BUNDLE in a row through the
// library, in this one quiet process (every tenth with a missing program, to cover the error
// path), and compares the process's fds, the host's mount table and swiftlet's cgroup
// directories before and after. Prints what differs; exits 1 if anything does.
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

let args = CommandLine.arguments
guard args.count == 3, let count = Int(args[2]) else {
    print("usage: swiftlet-leakcheck BUNDLE COUNT")
    exit(2)
}
let bundle = args[1]
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
