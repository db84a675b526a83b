import PodSpec

/// One input: a pod file's bytes. `swiftlet run -f` refuses a file that is not UTF-8 before
/// parsing, so such inputs end here too; everything else goes through the parser, the
/// per-pod manifests of `get pods -o json`, and the error's text as the CLI prints it.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPod(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    guard let text = String(validating: bytes, as: UTF8.self) else { return 0 }
    do {
        let pods = try PodFile.parse(text, file: "fuzz.yaml")
        _ = pods.count
        _ = PodFile.manifests(text, file: "fuzz.yaml")
    } catch {
        _ = error.description
    }
    return 0
}
