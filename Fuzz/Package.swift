// swift-tools-version:6.0
// libFuzzer targets for swiftlet's two decoders of untrusted input. A package of its own, so the
// fuzzing flags and the `LLVMFuzzerTestOneInput` executables never reach the regular build:
// `swift build` and `swift test` at the repository root do not see this directory.
// Build and run with `Fuzz/run` (or `make fuzz`); see Fuzz/README.md.
import PackageDescription

let package = Package(
    name: "swiftlet-fuzz",
    dependencies: [.package(name: "swiftlet", path: "..")],
    targets: [
        // Pod YAML: PodFile.parse and PodFile.manifests, as `swiftlet run -f` reads a file.
        .executableTarget(name: "fuzz-pod", dependencies: [.product(name: "PodSpec", package: "swiftlet")], path: "pod"),
        // OCI config.json: SpecDecoder.decode, as `swiftlet-runtime create` reads a bundle.
        .executableTarget(name: "fuzz-oci", dependencies: [.product(name: "ContainerRuntime", package: "swiftlet")], path: "oci"),
    ]
)
