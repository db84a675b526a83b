/// A Kubernetes resource quantity (`500m`, `0.5`, `128Mi`, `1G`, `1e3`, `1.5Gi`), held exactly.
/// Two quantities are equal when their values are: `1Gi == 1024Mi`.
public struct Quantity: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// As written in the pod file.
    public let text: String
    public let isNegative: Bool
    private let magnitude: DecimalMagnitude

    public init(_ text: String) throws(QuantityError) {
        let parsed = try QuantityParser.parse(text)
        self.text = text
        isNegative = parsed.isNegative
        magnitude = parsed.magnitude
    }

    public var isZero: Bool { magnitude.isZero }

    /// The value in thousandths (millicores for CPU), rounded away from zero as Kubernetes'
    /// `MilliValue`; nil when it does not fit in an Int64.
    public var milliValue: Int64? { signed(magnitude.roundedUp(scale: 3)) }

    /// The value in whole units (bytes for memory), rounded away from zero as Kubernetes'
    /// `Value`; nil when it does not fit in an Int64.
    public var value: Int64? { signed(magnitude.roundedUp(scale: 0)) }

    public var description: String { text }

    private func signed(_ value: Int64?) -> Int64? {
        guard let value else { return nil }
        return isNegative ? -value : value
    }

    public static func == (lhs: Quantity, rhs: Quantity) -> Bool {
        lhs.isNegative == rhs.isNegative && lhs.magnitude == rhs.magnitude
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(isNegative)
        hasher.combine(magnitude)
    }

    public static func < (lhs: Quantity, rhs: Quantity) -> Bool {
        switch (lhs.isNegative, rhs.isNegative) {
        case (true, false): true
        case (false, true): false
        case (false, false): lhs.magnitude < rhs.magnitude
        case (true, true): rhs.magnitude < lhs.magnitude
        }
    }
}
