import NIOCore

/// One request to a dial thread: connect to host:port from inside `netns` before `deadline`.
/// `complete` runs on the dial thread exactly once, with the connected fd or the error.
struct DialJob: Sendable {
    let netns: NetnsHandle
    let host: String
    let port: Int
    let deadline: NIODeadline
    let complete: @Sendable (Result<CInt, any Error>) -> Void

    /// The address as the error messages show it.
    var display: String { joinHostPort(host, port) }
}
