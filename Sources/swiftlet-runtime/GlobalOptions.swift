import ArgumentParser
import ContainerRuntime
#if canImport(Glibc)
import Glibc
#endif

struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: "Directory for container state (like runc --root).")
    var root: String = "/run/swiftlet-runtime"

    var store: StateStore { StateStore(root: root) }
}

/// Prints an error the way runc does and exits with `code`.
func fail(_ message: String, code: Int32 = 1) -> Never {
    writeStderr("swiftlet-runtime: \(message)\n")
    exit(code)
}

func writeStderr(_ s: String) {
    var bytes = Array(s.utf8)
    _ = bytes.withUnsafeMutableBytes { write(2, $0.baseAddress, $0.count) }
}

func writeStdout(_ s: String) {
    var bytes = Array(s.utf8)
    var off = 0
    while off < bytes.count {
        let n = bytes.withUnsafeMutableBytes { write(1, $0.baseAddress! + off, $0.count - off) }
        if n <= 0 { if errno == EINTR { continue }; return }
        off += n
    }
}

/// Blocks every signal and returns a signalfd that receives them, for ForegroundLoop to pass on.
/// Done first thing: a signal that arrives while the container is being set up is then passed
/// to it (or handled by us) instead of killing us half-way and leaving it behind.
func takeOverSignals() -> Int32 {
    do {
        return try ForegroundLoop.takeOverSignals()
    } catch {
        fail("\(error)")
    }
}

func requireRoot() {
    if geteuid() != 0 { fail("must be run as root") }
}
