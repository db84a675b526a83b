/// The keys one kind of object may have.
struct Schema {
    /// Decoded and used.
    let fields: Set<String>
    /// Accepted and ignored, so that files written by `kubectl run --dry-run=client -o yaml` load.
    var ignored: Set<String> = []
    /// Kubernetes fields swiftlet does not implement: an error that says so, rather than
    /// `unknown field`, which would suggest a typo.
    var unsupported: Set<String> = []
}
