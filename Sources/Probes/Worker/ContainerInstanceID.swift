/// One container instance, as the runtime names it. A restart makes a new instance with a new id;
/// probe results belong to an instance, so a restarted container never inherits a verdict.
public struct ContainerInstanceID: Hashable, Sendable, CustomStringConvertible {
    public var rawValue: String

    public init(_ rawValue: String) {
        self.rawValue = rawValue
    }

    public var description: String { rawValue }
}
