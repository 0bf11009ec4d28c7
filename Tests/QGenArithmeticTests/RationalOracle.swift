import QGenArithmetic

/// An exact oracle: rounds the rational `numerator / denominator` (denominator > 0) to an integer
/// by definition (floor quotient and remainder in 128-bit arithmetic), independent of the shift
/// tricks the implementation uses.
enum Oracle {
    enum Ties { case up, awayFromZero, even }

    static func round(_ numerator: Int128, over denominator: Int128, ties: Ties) -> Int128 {
        precondition(denominator > 0)
        var quotient = numerator / denominator
        var remainder = numerator - quotient * denominator
        if remainder < 0 { quotient -= 1; remainder += denominator }   // now 0 <= remainder < denominator
        let twice = 2 * remainder
        if twice < denominator { return quotient }
        if twice > denominator { return quotient + 1 }
        switch ties {
        case .up: return quotient + 1
        case .awayFromZero: return numerator >= 0 ? quotient + 1 : quotient
        case .even: return quotient % 2 == 0 ? quotient : quotient + 1
        }
    }

    static func pow2(_ n: Int) -> Int128 { Int128(1) << Int128(n) }

    /// TFLite double rounding by definition: RHAZ(RHU(acc·2^left·M / 2^31), right).
    static func doubleRounding(_ acc: Int32, _ m: QuantizedMultiplier) -> Int128 {
        let left = max(Int(m.shift), 0), right = max(-Int(m.shift), 0)
        let high = round(Int128(acc) * pow2(left) * Int128(m.mantissa), over: pow2(31), ties: .up)
        return round(high, over: pow2(right), ties: .awayFromZero)
    }

    /// Single rounding by definition: RHU(acc·M / 2^(31 − shift)).
    static func singleRounding(_ acc: Int32, _ m: QuantizedMultiplier) -> Int128 {
        round(Int128(acc) * Int128(m.mantissa), over: pow2(31 - Int(m.shift)), ties: .up)
    }
}

func hex(_ v: some BinaryInteger) -> String {
    (v < 0 ? "-0x" : "0x") + String(v.magnitude, radix: 16)
}
