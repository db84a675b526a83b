import Glibc
import PodSpec

/// Set FUZZ_PRINT=1 to see what the decoder made of each input: `FUZZ_PRINT=1 fuzz-pod FILE...`
/// (libFuzzer runs files given as arguments once each).
let printsOutcome = getenv("FUZZ_PRINT") != nil

/// One input: a pod file's bytes. `swiftlet run -f` refuses a file that is not UTF-8 before
/// parsing, so such inputs end here too; everything else goes through the parser, the
/// per-pod manifests of `get pods -o json`, and the error's text as the CLI prints it.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPod(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    guard let text = String(validating: bytes, as: UTF8.self) else { return 0 }
    do {
        let pods = try PodFile.parse(text, file: "fuzz.yaml")
        let manifests = PodFile.manifests(text, file: "fuzz.yaml")
        if printsOutcome { say("\(pods.count) pods, \(manifests.count) manifests: \(pods.map(\.name))") }
    } catch {
        let message = error.description
        if printsOutcome { say(message) }
    }
    return 0
}

/// One line on standard error, unbuffered (libFuzzer may end the process without flushing stdout).
func say(_ line: String) {
    var line = line + "\n"
    line.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
}
