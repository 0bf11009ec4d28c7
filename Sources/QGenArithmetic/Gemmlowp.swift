/// The two gemmlowp fixed-point primitives that TFLite, TFLite Micro and CMSIS-NN build their
/// default ("double rounding") requantization from, transcribed from their documented semantics
/// (google/gemmlowp fixedpoint/fixedpoint.h; see shared/reference/requant.md §1.2).
///
/// | a | b | SRDHM(a, b) | exact a·b/2^31 |
/// |--:|--:|------------:|---------------:|
/// | -1 | 2^30 | 0 | -0.5 (tie → toward +∞) |
/// | -5 | 2^30 | -2 | -2.5 (tie → toward +∞) |
/// | 5 | 2^30 | 3 | 2.5 |
/// | INT32_MIN | INT32_MIN | INT32_MAX | 2^31 (saturates) |
///
/// | x | e | RDBPOT(x, e) |
/// |--:|--:|-------------:|
/// | 5 | 1 | 3 |
/// | -5 | 1 | -3 (tie → away from zero) |
/// | -6 | 2 | -2 |
public enum Gemmlowp {
    /// `SaturatingRoundingDoublingHighMul(a, b)`: the high 32 bits of `2·a·b`, rounded to nearest
    /// with ties toward +∞ for both signs; the only overflow, `a == b == Int32.min`, saturates to
    /// `Int32.max`. Computed the way gemmlowp does (a nudge, then a truncating division).
    @inlinable
    public static func saturatingRoundingDoublingHighMul(_ a: Int32, _ b: Int32) -> Int32 {
        if a == Int32.min && b == Int32.min { return Int32.max }
        let product = Int64(a) * Int64(b)
        let nudge: Int64 = product >= 0 ? (1 << 30) : (1 - (1 << 30))
        return Int32((product + nudge) / (Int64(1) << 31))   // Swift `/` truncates like C
    }

    /// `RoundingDivideByPOT(x, exponent)`: `x / 2^exponent` rounded to nearest, ties away from
    /// zero, for `0 <= exponent <= 31`. Computed the way gemmlowp does (mask, remainder, threshold).
    @inlinable
    public static func roundingDivideByPOT(_ x: Int32, _ exponent: Int32) -> Int32 {
        precondition(exponent >= 0 && exponent <= 31, "exponent out of range: \(exponent)")
        let mask = Int32(truncatingIfNeeded: (Int64(1) << Int64(exponent)) - 1)
        let remainder = x & mask
        let threshold = (mask >> 1) + (x < 0 ? 1 : 0)
        return (x >> exponent) + (remainder > threshold ? 1 : 0)
    }
}
