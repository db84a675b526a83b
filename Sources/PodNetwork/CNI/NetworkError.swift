/// A pod networking failure, as one sentence that names what failed
/// (`pod "web": network "swiftlet": plugin bridge: … (code 11)`).
public struct NetworkError: Error, CustomStringConvertible, Sendable {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}
