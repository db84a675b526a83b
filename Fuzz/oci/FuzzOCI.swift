import ContainerRuntime
import Glibc

/// Set FUZZ_PRINT=1 to see what the decoder made of each input: `FUZZ_PRINT=1 fuzz-oci FILE...`
/// (libFuzzer runs files given as arguments once each).
let printsOutcome = getenv("FUZZ_PRINT") != nil

/// One input: a bundle's config.json bytes, through SpecDecoder.decode (parse, decode,
/// validate) and the error's text as `swiftlet-runtime create` prints it.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOCI(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    do {
        let spec = try SpecDecoder.decode(bytes)
        if printsOutcome { say("valid spec, ociVersion \(spec.ociVersion)") }
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
