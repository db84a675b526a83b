import ContainerRuntime
import Foundation
import Glibc

/// One file of a volume's payload: its bytes and permission bits.
struct FileProjection: Sendable, Equatable {
    var data: [UInt8]
    var mode: mode_t
}

/// The kubelet's atomic writer layout (pkg/volume/util/atomic_writer.go), written once when the
/// pod starts (swiftlet does not update these volumes when a ConfigMap changes):
///
///     <dir>/..2026_12_06_08_30_00.1234567/<path>   the files, with their modes
///     <dir>/..data -> ..2026_12_06_08_30_00.1234567
///     <dir>/<top> -> ..data/<top>                   one symlink per top-level name
///
/// so a reader sees every file of one version through `..data`, and a container's view of the
/// volume is the same as on a node.
enum AtomicWriter {
    static func write(_ payload: [String: FileProjection], into dir: String) throws {
        let stamp = timestampDirName()
        let tsDir = dir + "/" + stamp
        try check(mkdir(tsDir, 0o755), "mkdir \(tsDir)")
        try check(chmod(tsDir, 0o755), "chmod \(tsDir)")
        for path in payload.keys.sorted() {
            let file = payload[path]!
            let full = tsDir + "/" + path
            let parent = (full as NSString).deletingLastPathComponent
            if parent != tsDir { try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true) }
            try writeFile(full, file)
        }
        let dataTmp = dir + "/..data_tmp"
        unlink(dataTmp)
        try check(symlink(stamp, dataTmp), "symlink \(dataTmp)")
        try check(rename(dataTmp, dir + "/..data"), "rename \(dataTmp)")
        let tops = Set(payload.keys.map { String($0.split(separator: "/").first ?? "") })
        for top in tops.sorted() where !top.isEmpty {
            let link = dir + "/" + top
            unlink(link)
            try check(symlink("..data/" + top, link), "symlink \(link)")
        }
    }

    /// `..` then the UTC time, then a unique suffix, as Go's `os.MkdirTemp(dir, "..2006_01_02_15_04_05.")`.
    private static func timestampDirName() -> String {
        var now = time(nil)
        var parts = tm()
        gmtime_r(&now, &parts)
        let stamp = String(format: "..%04d_%02d_%02d_%02d_%02d_%02d.%u", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1,
                           Int(parts.tm_mday), Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec),
                           UInt32.random(in: 0...UInt32.max))
        return stamp
    }

    private static func writeFile(_ path: String, _ file: FileProjection) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, file.mode)
        guard fd >= 0 else { throw SupervisorError("cannot write \(path): \(Errno.current)") }
        defer { close(fd) }
        var offset = 0
        while offset < file.data.count {
            let n = file.data.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, file.data.count - offset) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw SupervisorError("cannot write \(path): \(Errno.current)") }
            offset += n
        }
        // The umask must not cut the mode the pod asked for.
        try check(fchmod(fd, file.mode), "chmod \(path)")
    }

    private static func check(_ result: Int32, _ step: String) throws {
        if result != 0 { throw SupervisorError("\(step): \(Errno.current)") }
    }
}
