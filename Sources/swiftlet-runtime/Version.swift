/// What `--version` prints: runc's shape, whose first line clients parse (go-runc reads
/// "<name> version X.Y.Z"; `podman info` shows it).
enum RuntimeVersion {
    static let number = "0.10.0"
    /// The runtime-spec version of the configs we read and the state we print.
    static let ociSpec = "1.2.0"
    static var text: String { "swiftlet-runtime version \(number)\nspec: \(ociSpec)" }
}
