import ContainerRuntime

/// One input: a bundle's config.json bytes, through SpecDecoder.decode (parse, decode,
/// validate) and the error's text as `swiftlet-runtime create` prints it.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOCI(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    do {
        _ = try SpecDecoder.decode(bytes)
    } catch {
        _ = error.description
    }
    return 0
}
