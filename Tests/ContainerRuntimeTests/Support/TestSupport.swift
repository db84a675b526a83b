import ContainerRuntime
import Foundation
import Testing

/// Shared helpers for the tests that run real containers: the busybox image (built once by
/// rootfs/build-busybox.sh), bundles in temporary directories, and the CLI binary.
enum TestSupport {
    static let isRoot = geteuid() == 0
    static let rootReason: Comment = "needs root: run the suite as root (CI does) to start real containers"

    /// The repository root, from this file's path.
    static let repo: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { url.deleteLastPathComponent() }
        return url.path
    }()

    /// rootfs/busybox, built on first use.
    static let busybox: String = {
        let path = repo + "/rootfs/busybox"
        if !FileManager.default.fileExists(atPath: path + "/bin/busybox") {
            let r = sh(repo + "/rootfs/build-busybox.sh")
            precondition(r.status == 0, "rootfs/build-busybox.sh failed: \(r.stderr)")
        }
        return path
    }()

    /// The swiftlet-runtime binary built next to the test bundle.
    static let runtime: String = {
        var url = URL(fileURLWithPath: CommandLine.arguments.first ?? "")
        // .../debug/swiftletPackageTests.xctest -> .../debug/swiftlet-runtime
        url.deleteLastPathComponent()
        let candidate = url.appendingPathComponent("swiftlet-runtime").path
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        return repo + "/.build/debug/swiftlet-runtime"
    }()

    struct Output {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs a program to completion, capturing its output.
    @discardableResult
    static func run(_ exe: String, _ args: [String], stdin: String? = nil, timeout: TimeInterval = 60) -> Output {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: exe)
        p.arguments = args
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        let input = Pipe()
        p.standardInput = stdin == nil ? FileHandle.nullDevice : input
        do { try p.run() } catch { return Output(status: -1, stdout: "", stderr: "\(error)") }
        if let stdin {
            input.fileHandleForWriting.write(Data(stdin.utf8))
            try? input.fileHandleForWriting.close()
        }
        // Read both pipes concurrently so a chatty child cannot block on a full pipe.
        let errData = DataBox()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async { errData.data = readAll(err.fileHandleForReading.fileDescriptor); group.leave() }
        let outData = readAll(out.fileHandleForReading.fileDescriptor)
        group.wait()
        p.waitUntilExit()
        let status = p.terminationReason == .uncaughtSignal ? 128 + p.terminationStatus : p.terminationStatus
        return Output(status: status, stdout: String(decoding: outData, as: UTF8.self),
                      stderr: String(decoding: errData.data, as: UTF8.self))
    }

    /// Reads to EOF, retrying EINTR (FileHandle traps on it).
    static func readAll(_ fd: Int32) -> Data {
        var data = Data()
        var buf = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = read(fd, &buf, buf.count)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return data }
            data.append(contentsOf: buf[0..<n])
        }
    }

    /// Written by one reader thread, read after it is joined.
    final class DataBox: @unchecked Sendable { var data = Data() }

    static func sh(_ command: String) -> Output { run("/bin/sh", ["-c", command]) }

    static func tempDir(_ prefix: String = "swiftlet-test", under parent: String = "/tmp") -> String {
        let path = parent + "/\(prefix)-\(UUID().uuidString.prefix(8))"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func uniqueID(_ prefix: String = "t") -> String { "\(prefix)-\(UUID().uuidString.prefix(12).lowercased())" }
}

/// A bundle in a temporary directory: config.json from our default spec, root.path pointing at
/// the shared busybox image (read-only, so tests cannot change it), removed on deinit.
final class TestBundle {
    let dir: String
    let stateRoot: String
    var spec: OCISpec

    init(args: [String], rootfs: String = TestSupport.busybox, _ modify: (inout OCISpec) -> Void = { _ in }) {
        dir = TestSupport.tempDir("swiftlet-bundle")
        stateRoot = dir + "/state"
        spec = DefaultSpec.make(rootfs: rootfs, args: args)
        spec.root?.readonly = true
        // A writable /tmp: the image is shared and mounted read-only.
        spec.mounts.append(OCISpec.Mount(destination: "/tmp", type: "tmpfs", source: "tmpfs", options: ["nosuid", "nodev", "mode=1777"]))
        modify(&spec)
        write()
    }

    func write() {
        let bytes = SpecEncoder.encode(spec).serialized(pretty: true)
        let written = FileManager.default.createFile(atPath: dir + "/config.json", contents: Data(bytes))
        precondition(written, "cannot write \(dir)/config.json")
    }

    deinit { try? FileManager.default.removeItem(atPath: dir) }

    /// `swiftlet-runtime run` of this bundle, to completion.
    func run(id: String = TestSupport.uniqueID(), stdin: String? = nil) -> TestSupport.Output {
        TestSupport.run(TestSupport.runtime, ["--root", stateRoot, "run", "--bundle", dir, id], stdin: stdin)
    }

    func cli(_ args: [String]) -> TestSupport.Output {
        TestSupport.run(TestSupport.runtime, ["--root", stateRoot] + args)
    }
}
