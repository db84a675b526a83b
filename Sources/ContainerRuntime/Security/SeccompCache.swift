// Compiled seccomp programs kept on disk, for callers that cannot keep them in memory:
// swiftlet-runtime is a new process for every container, and libseccomp takes ~10 ms to compile
// the default profile, half of a container's start.
//
// Integrity: the directory is root's alone (owner 0, mode 0700), so only root can have written
// what is in it. Before a file is trusted, the directory and the file are checked on their open
// descriptors (O_NOFOLLOW: no symlink is followed for either): a directory that is not root's
// 0700, or a file that is not a regular file owned by root and writable by root only, is
// ignored. Each file holds its whole key (the profile's canonical bytes, libseccomp's build, the
// compiling executable) and a hit needs byte equality of that key, so the file name, a hash,
// decides nothing: collisions only cost a compile. Any doubt means compiling again and replacing
// the file (atomically: a temporary file renamed over it).
#if canImport(Glibc)
import Glibc
#endif
import CShims

public struct SeccompCache: Sendable {
    /// The directory the programs live in; created (mode 0700) on the first store if missing.
    /// Its parent must exist.
    public let directory: String

    public init(directory: String) { self.directory = directory }

    /// The cached program for `profile`, or nil when there is none this process may trust.
    public func lookup(_ profile: OCISpec.Seccomp) -> SeccompProgram? {
        lookup(key: Self.key(profile))
    }

    /// The program for `profile`: from the cache, else compiled and stored (best effort: a
    /// cache that cannot be written only costs the next caller a compile).
    public func program(for profile: OCISpec.Seccomp) throws(SeccompError) -> SeccompProgram {
        let key = Self.key(profile)
        if let program = lookup(key: key) { return program }
        let program = try SeccompCompiler.compileUncached(profile)
        store(program, key: key)
        return program
    }

    // MARK: Keys

    /// What, besides the profile, decides the program. Anything that differs makes a miss.
    struct Build {
        var libseccomp: (major: UInt32, minor: UInt32, micro: UInt32)
        var nativeArch: UInt32
        var apiLevel: UInt32
        /// The executable that compiles (dev, inode, size, mtime of /proc/self/exe): another
        /// build of swiftlet may turn a profile into rules differently (SeccompCompiler's own
        /// choices: skipped names, split conditions, flags).
        var executable: String

        static let current: Build = {
            var b = sl_seccomp_build()
            sl_seccomp_build_identity(&b)
            var st = stat()
            let exe = stat("/proc/self/exe", &st) == 0
                ? "\(st.st_dev):\(st.st_ino):\(st.st_size):\(st.st_mtim.tv_sec).\(st.st_mtim.tv_nsec)"
                : "unknown"
            return Build(libseccomp: (b.major, b.minor, b.micro), nativeArch: b.native_arch,
                         apiLevel: b.api_level, executable: exe)
        }()

        var line: String {
            "libseccomp \(libseccomp.major).\(libseccomp.minor).\(libseccomp.micro) api \(apiLevel) "
                + "arch \(nativeArch) exe \(executable)\n"
        }
    }

    /// The full key: a format line, the build line, then the profile as SpecEncoder writes it
    /// (compact JSON; every field of OCISpec.Seccomp, since decode(encode(spec)) == spec).
    static func key(_ profile: OCISpec.Seccomp, build: Build = .current) -> [UInt8] {
        Array("swiftlet seccomp cache 1\n".utf8) + Array(build.line.utf8)
            + SpecEncoder.seccomp(profile).serialized(pretty: false)
    }

    /// FNV-1a, 64 bits, in hex: a file name, not a checksum (the key inside is compared in full).
    static func fileName(for key: [UInt8]) -> String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in key { h = (h ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        let hex = String(h, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex + ".bpf"
    }

    // MARK: File format
    // "SLBPF\0\0\u{1}", key length (u32), key, flags (u32), instruction count (u32), instructions
    // (8 bytes each); integers in host byte order: the file never leaves this machine.

    private static let magic: [UInt8] = [0x53, 0x4C, 0x42, 0x50, 0x46, 0, 0, 1]
    /// Nothing legitimate is larger: a key of a few tens of KiB and at most 4096 instructions.
    private static let maxFileSize = 1 << 20

    static func encode(key: [UInt8], flags: UInt32, instructions: UnsafeRawBufferPointer) -> [UInt8] {
        var out = magic
        out.reserveCapacity(magic.count + 12 + key.count + instructions.count)
        append(UInt32(key.count), to: &out)
        out += key
        append(flags, to: &out)
        append(UInt32(instructions.count / 8), to: &out)
        out += instructions
        return out
    }

    /// The flags and instructions of `bytes` if it is a well-formed file for exactly `key`.
    static func decode(_ bytes: [UInt8], key: [UInt8]) -> SeccompProgram? {
        var at = magic.count
        guard bytes.count >= at + 4, Array(bytes[0..<at]) == magic,
              let keyLength = read(bytes, &at), Int(keyLength) == key.count,
              bytes.count >= at + key.count, bytes[at..<at + key.count].elementsEqual(key) else { return nil }
        at += key.count
        guard let flags = read(bytes, &at), let count = read(bytes, &at),
              count > 0, count <= SeccompCompiler.maxInstructions,
              bytes.count == at + Int(count) * 8 else { return nil }
        return bytes[at...].withUnsafeBytes { SeccompProgram(copying: $0, count: count, flags: flags) }
    }

    private static func append(_ v: UInt32, to out: inout [UInt8]) {
        withUnsafeBytes(of: v) { out += $0 }
    }

    private static func read(_ bytes: [UInt8], _ at: inout Int) -> UInt32? {
        guard bytes.count >= at + 4 else { return nil }
        var v: UInt32 = 0
        withUnsafeMutableBytes(of: &v) { $0.copyBytes(from: bytes[at..<at + 4]) }
        at += 4
        return v
    }

    // MARK: Disk

    func lookup(key: [UInt8]) -> SeccompProgram? {
        guard let dir = openTrustedDirectory() else { return nil }
        defer { close(dir) }
        // O_NONBLOCK: a FIFO in its place must not hang us before fstat rejects it.
        let fd = openat(dir, Self.fileName(for: key), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG, st.st_uid == 0,
              st.st_mode & 0o022 == 0, st.st_size > 0, st.st_size <= Self.maxFileSize else { return nil }
        var bytes = [UInt8](repeating: 0, count: Int(st.st_size))
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + done, $0.count - done) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return nil }
            done += n
        }
        return Self.decode(bytes, key: key)
    }

    func store(_ program: SeccompProgram, key: [UInt8]) {
        if mkdir(directory, 0o700) != 0 && errno != EEXIST { return }
        guard let dir = openTrustedDirectory() else { return }
        defer { close(dir) }
        let bytes = program.withUnsafePointer { pointer, count in
            Self.encode(key: key, flags: program.flags,
                        instructions: UnsafeRawBufferPointer(start: pointer, count: Int(count) * 8))
        }
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        let temporary = ".tmp-\(getpid())-\(now.tv_nsec)"
        let fd = openat(dir, temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return }
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + done, $0.count - done) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            done += n
        }
        close(fd)
        // rename replaces whatever has the name, a symlink included, never what it points to.
        if done != bytes.count || renameat(dir, temporary, dir, Self.fileName(for: key)) != 0 {
            unlinkat(dir, temporary, 0)
        }
    }

    /// The directory, open, if it is root's and nobody else's; nil otherwise.
    private func openTrustedDirectory() -> Int32? {
        let fd = open(directory, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR, st.st_uid == 0,
              st.st_mode & 0o7777 == 0o700 else {
            close(fd)
            return nil
        }
        return fd
    }
}
