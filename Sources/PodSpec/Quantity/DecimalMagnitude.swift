/// A non-negative number held exactly as `digits × 10^exponent`, so that quantities are compared
/// and scaled without floating point, as Kubernetes' `resource.Quantity` promises.
struct DecimalMagnitude: Sendable, Hashable, Comparable {
    /// Most significant first, without leading or trailing zeros; empty for zero.
    private(set) var digits: [UInt8]
    private(set) var exponent: Int

    static let zero = DecimalMagnitude(digits: [], exponent: 0)

    init(digits: [UInt8], exponent: Int) {
        let significant = digits.drop { $0 == 0 }
        var trailingZeros = 0
        for digit in significant.reversed() {
            guard digit == 0 else { break }
            trailingZeros += 1
        }
        self.digits = Array(significant.dropLast(trailingZeros))
        self.exponent = self.digits.isEmpty ? 0 : exponent + trailingZeros
    }

    var isZero: Bool { digits.isEmpty }

    /// Exact product with a small factor, such as 1024 for a binary suffix.
    func multiplied(by factor: UInt32) -> DecimalMagnitude {
        var reversed: [UInt8] = []
        reversed.reserveCapacity(digits.count + 10)
        var carry: UInt64 = 0
        for digit in digits.reversed() {
            let product = UInt64(digit) * UInt64(factor) + carry
            reversed.append(UInt8(product % 10))
            carry = product / 10
        }
        while carry > 0 {
            reversed.append(UInt8(carry % 10))
            carry /= 10
        }
        return DecimalMagnitude(digits: reversed.reversed(), exponent: exponent)
    }

    /// `self × 10^power`, rounded up to a whole number (Kubernetes rounds quantities up so that a
    /// tiny request still gets something); nil when the result does not fit in an Int64.
    func roundedUp(scale power: Int) -> Int64? {
        guard !digits.isEmpty else { return 0 }
        let shift = exponent + power
        if shift >= 0 {
            guard digits.count + shift <= 19, var value = Self.integer(digits) else { return nil }
            for _ in 0..<shift {
                let (product, overflow) = value.multipliedReportingOverflow(by: 10)
                guard !overflow else { return nil }
                value = product
            }
            return value
        }
        let dropped = -shift
        // Normalized digits end in a non-zero digit, so a dropped part is never zero: round up.
        guard dropped < digits.count else { return 1 }
        guard let whole = Self.integer(digits.dropLast(dropped)) else { return nil }
        let (rounded, overflow) = whole.addingReportingOverflow(1)
        return overflow ? nil : rounded
    }

    private static func integer(_ digits: some Collection<UInt8>) -> Int64? {
        var value: Int64 = 0
        for digit in digits {
            let (shifted, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = shifted.addingReportingOverflow(Int64(digit))
            guard !overflow1, !overflow2 else { return nil }
            value = sum
        }
        return value
    }

    static func < (lhs: DecimalMagnitude, rhs: DecimalMagnitude) -> Bool {
        if lhs.isZero || rhs.isZero { return lhs.isZero && !rhs.isZero }
        // Compare where the leading digits sit first, then the digits themselves.
        let lhsMagnitude = lhs.digits.count + lhs.exponent
        let rhsMagnitude = rhs.digits.count + rhs.exponent
        if lhsMagnitude != rhsMagnitude { return lhsMagnitude < rhsMagnitude }
        return lhs.digits.lexicographicallyPrecedes(rhs.digits)
    }
}
