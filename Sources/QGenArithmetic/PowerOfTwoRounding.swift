/// Exact division of an integer by a power of two with a named rounding rule.
///
/// These are the building blocks of every integer requantization scheme. They are exact on their
/// whole domain (no intermediate overflow for `value` in the stated range) and never rely on the
/// sign behaviour of `>>` for negative values, so each can be transcribed to C99 without
/// implementation-defined behaviour.
///
/// | value | n | floor | half up (+∞) | half away from 0 | half to even |
/// |------:|--:|------:|-------------:|-----------------:|-------------:|
/// |     5 | 1 |     2 |            3 |                3 |            2 |
/// |    -5 | 1 |    -3 |           -2 |               -3 |           -2 |
/// |     6 | 2 |     1 |            2 |                2 |            2 |
/// |   -10 | 2 |    -3 |           -2 |               -3 |           -2 |
public enum PowerOfTwoRounding {
    /// `floor(value / 2^n)` for `0 <= n <= 62`.
    @inlinable
    public static func floorDivide(_ value: Int64, byPowerOfTwo n: Int) -> Int64 {
        precondition(n >= 0 && n <= 62, "shift out of range: \(n)")
        if value >= 0 { return value >> Int64(n) }
        // -(floor((-value - 1) / 2^n) + 1), computed on a non-negative magnitude.
        return -(Int64(bitPattern: UInt64(-(value + 1)) >> UInt64(n))) - 1
    }

    /// Nearest integer to `value / 2^n`, ties toward +∞ ("round half up"), for `1 <= n <= 62` and
    /// `|value| < 2^62`. With `n == 0` the value is returned unchanged.
    @inlinable
    public static func roundHalfUp(_ value: Int64, byPowerOfTwo n: Int) -> Int64 {
        if n == 0 { return value }
        return floorDivide(value + (Int64(1) << Int64(n - 1)), byPowerOfTwo: n)
    }

    /// Nearest integer to `value / 2^n`, ties away from zero, for `0 <= n <= 62`, `|value| < 2^62`.
    @inlinable
    public static func roundHalfAwayFromZero(_ value: Int64, byPowerOfTwo n: Int) -> Int64 {
        if value >= 0 { return roundHalfUp(value, byPowerOfTwo: n) }
        return -roundHalfUp(-value, byPowerOfTwo: n)
    }

    /// Nearest integer to `value / 2^n`, ties to even, for `0 <= n <= 62`, `|value| < 2^62`.
    @inlinable
    public static func roundHalfToEven(_ value: Int64, byPowerOfTwo n: Int) -> Int64 {
        if n == 0 { return value }
        let quotient = floorDivide(value, byPowerOfTwo: n)
        let remainder = value - quotient * (Int64(1) << Int64(n))
        let half = Int64(1) << Int64(n - 1)
        if remainder > half || (remainder == half && quotient & 1 == 1) { return quotient + 1 }
        return quotient
    }
}
