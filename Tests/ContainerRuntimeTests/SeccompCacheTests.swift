import CShims
@testable import ContainerRuntime
import Foundation
import Testing

/// x86_64 unshare(2): the default profile refuses it; unshare(0) itself changes nothing.
private let nrUnshare = 272

private func bytes(_ p: SeccompProgram) -> [UInt8] {
    p.withUnsafePointer { pointer, count in Array(UnsafeRawBufferPointer(start: pointer, count: Int(count) * 8)) }
}

/// The errno unshare(0) fails with under `p` in a forked child (0: allowed).
private func unshareErrno(_ p: SeccompProgram) -> Int32 {
    p.withUnsafePointer { filter, count in sl_seccomp_probe(filter, count, nrUnshare, 0, 0, 0) }
}

/// A root-owned 0700 directory of our own with `name` inside it not yet existing.
private func cacheDirectory(_ name: String = "cache") -> (parent: String, dir: String) {
    let parent = TestSupport.tempDir("swiftlet-seccomp-cache")
    chmod(parent, 0o700)
    return (parent, parent + "/" + name)
}

private func remove(_ path: String) { try? FileManager.default.removeItem(atPath: path) }

/// The attacker's file: the genuine key (copied from a genuine cache file) with a program that
/// allows everything.
private func forged(from genuine: [UInt8]) throws -> [UInt8] {
    let keyLength = genuine[8..<12].withUnsafeBytes { $0.loadUnaligned(as: UInt32.self) }
    let key = Array(genuine[12..<12 + Int(keyLength)])
    let allowAll = try SeccompCompiler.compileUncached(OCISpec.Seccomp(defaultAction: "SCMP_ACT_ALLOW"))
    return allowAll.withUnsafePointer { pointer, count in
        SeccompCache.encode(key: key, flags: 0, instructions: UnsafeRawBufferPointer(start: pointer, count: Int(count) * 8))
    }
}

private func write(_ data: [UInt8], to path: String, mode: mode_t = 0o600, owner: uid_t = 0) {
    remove(path)
    precondition(FileManager.default.createFile(atPath: path, contents: Data(data)), "cannot write \(path)")
    chmod(path, mode)
    chown(path, owner, 0)
}

private func contents(_ path: String) -> [UInt8] { Array(FileManager.default.contents(atPath: path) ?? Data()) }

private func status(_ path: String) -> stat {
    var st = stat()
    lstat(path, &st)
    return st
}

@Suite("SeccompCache", .serialized)
struct SeccompCacheTests {
    @Test func aHitReturnsTheProgramThatWasCompiled() throws {
        let (parent, dir) = cacheDirectory()
        defer { remove(parent) }
        let cache = SeccompCache(directory: dir)
        var profile = DefaultSeccompProfile.make()
        profile.flags = ["SECCOMP_FILTER_FLAG_SPEC_ALLOW"]   // flags are stored too

        #expect(cache.lookup(profile) == nil)
        let compiled = try cache.program(for: profile)
        let st = status(dir)
        #expect(st.st_uid == 0 && st.st_mode & 0o7777 == 0o700, "the cache directory is root's 0700")
        let files = try FileManager.default.contentsOfDirectory(atPath: dir)
        #expect(files.count == 1 && files[0].hasSuffix(".bpf"), "\(files): no temporary file is left")
        let file = status(dir + "/" + files[0])
        #expect(file.st_uid == 0 && file.st_mode & 0o777 == 0o600)

        let hit = try #require(cache.lookup(profile))
        #expect(bytes(hit) == bytes(compiled))
        #expect(hit.count == compiled.count && hit.flags == compiled.flags && hit.flags == 1 << 2)
        #expect(bytes(hit) == bytes(try SeccompCompiler.compileUncached(profile)))
        #expect(unshareErrno(hit) == EPERM)
    }

    @Test func anotherProfileArchitectureLibseccompOrExecutableMisses() throws {
        let (parent, dir) = cacheDirectory()
        defer { remove(parent) }
        let cache = SeccompCache(directory: dir)
        let profile = DefaultSeccompProfile.make()
        _ = try cache.program(for: profile)
        #expect(cache.lookup(key: SeccompCache.key(profile)) != nil)

        var other = profile
        other.syscalls[0].names.removeAll { $0 == "getppid" }
        #expect(cache.lookup(other) == nil)
        var withErrno = profile
        withErrno.defaultErrnoRet = 38
        #expect(cache.lookup(withErrno) == nil)

        let current = SeccompCache.Build.current
        var arch = current
        arch.nativeArch ^= 1
        var version = current
        version.libseccomp.micro += 1
        var api = current
        api.apiLevel += 1
        var exe = current
        exe.executable += "0"
        for build in [arch, version, api, exe] {
            #expect(cache.lookup(key: SeccompCache.key(profile, build: build)) == nil, "\(build.line)")
        }

        // A file under the right name whose key is another profile's (a hash collision, or a
        // file renamed by hand) is a miss: the full key decides, not the name.
        let ownFile = dir + "/" + SeccompCache.fileName(for: SeccompCache.key(profile))
        _ = try cache.program(for: other)
        let otherFile = dir + "/" + SeccompCache.fileName(for: SeccompCache.key(other))
        #expect(rename(otherFile, ownFile) == 0)
        #expect(cache.lookup(profile) == nil)
    }

    /// What a cache hit saves: printed, and the hit must be at least 5x faster.
    @Test func aHitIsFasterThanCompiling() throws {
        let (parent, dir) = cacheDirectory()
        defer { remove(parent) }
        let cache = SeccompCache(directory: dir)
        let profile = DefaultSeccompProfile.make()
        _ = try cache.program(for: profile)
        func median(_ body: () throws -> Void) rethrows -> Double {
            var ms: [Double] = []
            for _ in 0..<15 {
                let t0 = ContinuousClock.now
                try body()
                let d = ContinuousClock.now - t0
                ms.append(Double(d.components.attoseconds) / 1e15 + Double(d.components.seconds) * 1e3)
            }
            return ms.sorted()[ms.count / 2]
        }
        let compile = try median { _ = try SeccompCompiler.compileUncached(profile) }
        let load = median { _ = cache.lookup(profile) }
        print("seccomp default profile: compile \(compile) ms, cache hit \(load) ms (median of 15)")
        #expect(load * 5 < compile)
    }

    /// Only root can write a root-owned 0700 directory, so a file in it that is root's and not
    /// writable by others was written by root: that, and nothing about the content, is why a
    /// hit is trusted. The control shows it (a forged program in a trusted place IS used); each
    /// other case plants the same forged program where the checks must refuse it.
    @Test func forgedProgramsAreUsedOnlyFromATrustedPlace() throws {
        let profile = DefaultSeccompProfile.make()
        for plant in Plant.allCases {
            let (parent, dir) = cacheDirectory()
            defer { remove(parent) }
            let cache = SeccompCache(directory: dir)
            _ = try cache.program(for: profile)
            let file = dir + "/" + SeccompCache.fileName(for: SeccompCache.key(profile))
            let forgery = try forged(from: contents(file))
            plant.apply(forgery, file: file, dir: dir, parent: parent)

            let found = cache.lookup(profile)
            if plant == .trustedControl {
                #expect(found.map(unshareErrno) == 0, "the forged program is what a trusted file gives")
                continue
            }
            #expect(found == nil, "\(plant): must not be trusted")
            let program = try cache.program(for: profile)
            #expect(unshareErrno(program) == EPERM, "\(plant): the recompiled filter refuses unshare")
            plant.checkAfterwards(file: file, forgery: forgery)
        }
    }

    /// The CLI path: swiftlet-runtime keeps the cache in <root>/.seccomp. The second container
    /// loads the program the first one compiled (the file is not rewritten) and is filtered alike.
    @Test(.enabled(if: TestSupport.isRoot, TestSupport.rootReason))
    func aContainerStartedTwiceWithTheCacheIsFiltered() throws {
        let bundle = unshareBundle()
        let first = bundle.run()
        #expect(!first.stdout.contains("unshare-ok") && first.stderr.contains("Operation not permitted"),
                "\(first.stdout) \(first.stderr)")
        let file = try cacheFile(bundle)
        let before = status(file)
        let second = bundle.run()
        #expect(!second.stdout.contains("unshare-ok") && second.stderr.contains("Operation not permitted"),
                "\(second.stdout) \(second.stderr)")
        let after = status(file)
        #expect(after.st_ino == before.st_ino && after.st_mtim.tv_nsec == before.st_mtim.tv_nsec,
                "a hit leaves the file as it was")
    }

    /// The attack, end to end: a forged program (genuine key, allow-everything filter) planted
    /// in every untrusted way; the container still gets the profile's filter.
    @Test(.enabled(if: TestSupport.isRoot, TestSupport.rootReason))
    func aContainerIgnoresAForgedCache() throws {
        let bundle = unshareBundle()
        _ = bundle.run()
        let file = try cacheFile(bundle)
        let dir = bundle.stateRoot + "/.seccomp"
        let genuine = contents(file)
        let forgery = try forged(from: genuine)
        let elsewhere = TestSupport.tempDir("swiftlet-seccomp-elsewhere")
        defer { remove(elsewhere) }
        chmod(elsewhere, 0o700)

        for plant in Plant.allCases {
            remove(dir)
            mkdir(dir, 0o700)
            write(genuine, to: file)
            plant.apply(forgery, file: file, dir: dir, parent: elsewhere)
            let r = bundle.run()
            if plant == .trustedControl {
                #expect(r.stdout.contains("unshare-ok"), "control: a trusted forged file is used: \(r.stdout) \(r.stderr)")
                continue
            }
            #expect(!r.stdout.contains("unshare-ok") && r.stderr.contains("Operation not permitted"),
                    "\(plant): \(r.stdout) \(r.stderr)")
            plant.checkAfterwards(file: file, forgery: forgery)
        }
        remove(dir)   // the forged control file must not outlive the test
    }

    private func unshareBundle() -> TestBundle {
        TestBundle(args: ["sh", "-c", "unshare -m true && echo unshare-ok; true"]) { spec in
            // CAP_SYS_ADMIN: only the filter can refuse unshare.
            for k in [\OCISpec.Capabilities.bounding, \.effective, \.permitted] {
                spec.process?.capabilities?[keyPath: k].append("CAP_SYS_ADMIN")
            }
        }
    }

    private func cacheFile(_ bundle: TestBundle) throws -> String {
        let dir = bundle.stateRoot + "/.seccomp"
        let files = try FileManager.default.contentsOfDirectory(atPath: dir)
        #expect(files.count == 1, "\(files)")
        return dir + "/" + (try #require(files.first))
    }
}

/// Where a forged cache file is planted.
private enum Plant: CaseIterable, CustomStringConvertible {
    case trustedControl            // root 0600 in the root 0700 directory: accepted, by design
    case fileOwnedByNobody         // chown 65534
    case fileGroupWritable         // 0620
    case fileWorldWritable         // 0602
    case symlinkToTrustedFile      // a symlink in place, to a root 0600 file in a root 0700 dir
    case directoryInPlace          // a directory where the file should be
    case directoryOwnedByNobody    // the cache directory is 65534's
    case directoryGroupReadable    // the cache directory is 0750
    case directoryIsASymlink       // the cache directory is a symlink to a root 0700 directory

    var description: String { "\(self)" }

    func apply(_ forgery: [UInt8], file: String, dir: String, parent: String) {
        let name = String(file.split(separator: "/").last!)
        switch self {
        case .trustedControl: write(forgery, to: file)
        case .fileOwnedByNobody: write(forgery, to: file, owner: 65534)
        case .fileGroupWritable: write(forgery, to: file, mode: 0o620)
        case .fileWorldWritable: write(forgery, to: file, mode: 0o602)
        case .symlinkToTrustedFile:
            let target = parent + "/planted.bpf"
            write(forgery, to: target)
            remove(file)
            symlink(target, file)
        case .directoryInPlace:
            remove(file)
            mkdir(file, 0o700)
        case .directoryOwnedByNobody:
            write(forgery, to: file)
            chown(dir, 65534, 65534)
        case .directoryGroupReadable:
            write(forgery, to: file)
            chmod(dir, 0o750)
        case .directoryIsASymlink:
            let real = parent + "/real-cache"
            remove(real)
            mkdir(real, 0o700)
            write(forgery, to: real + "/" + name)
            remove(dir)
            symlink(real, dir)
        }
    }

    /// A bad file in a trusted directory is replaced by a genuine one; an untrusted directory is
    /// never written to.
    func checkAfterwards(file: String, forgery: [UInt8]) {
        switch self {
        case .fileOwnedByNobody, .fileGroupWritable, .fileWorldWritable, .symlinkToTrustedFile:
            let st = status(file)
            #expect(st.st_mode & S_IFMT == S_IFREG && st.st_uid == 0 && st.st_mode & 0o777 == 0o600,
                    "\(self): replaced by root's own file")
            #expect(contents(file) != forgery, "\(self): the forgery is gone")
        case .directoryOwnedByNobody, .directoryGroupReadable:
            #expect(contents(file) == forgery, "\(self): nothing is written into an untrusted directory")
        case .directoryInPlace, .directoryIsASymlink, .trustedControl:
            break
        }
    }
}
