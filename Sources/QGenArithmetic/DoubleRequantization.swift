/// The output stage of LiteRT's reference FULLY_CONNECTED (tflite/kernels/internal/reference/
/// integer_ops/fully_connected.h, the overloads that take the scales), computed with native IEEE
/// binary64 arithmetic: the executable specification that the emitted C's integer-only emulation
/// (Templates/helpers_double_scale.mustache) is tested against.
///
///     m      = double(s_in) · double(s_w[c]) / double(s_out)      (two correctly rounded operations)
///     scaled = round(double(acc) · m)                             (one rounding to 53 bits, then
///                                                                  ties away from zero, C `round`)
///
/// `double(acc)` is exact for every int32. LiteRT converts `scaled` to int32 without a range check;
/// qgen proves at lowering that `|scaled|` stays below 2^31.
public enum DoubleRequantization {
    @inlinable
    public static func scale(_ acc: Int32, multiplier: Double) -> Int64 {
        Int64((Double(acc) * multiplier).rounded(.toNearestOrAwayFromZero))
    }
}

/// A positive binary64 value as an exact integer pair, `value = mantissa · 2^exponent`, with
/// `mantissa` in `[2^52, 2^53)`: how the emitted C carries a double multiplier without a double.
public struct Float64Parts: Equatable, Hashable, Codable, Sendable {
    public var mantissa: Int64
    public var exponent: Int32

    public init(mantissa: Int64, exponent: Int32) {
        self.mantissa = mantissa
        self.exponent = exponent
    }

    /// `value` must be a positive normal double.
    public init(_ value: Double) {
        precondition(value.isNormal && value > 0, "double multiplier must be positive and normal: \(value)")
        self.init(mantissa: Int64(value.significandBitPattern | (1 << 52)), exponent: Int32(value.exponent) - 52)
    }

    /// The exact value.
    public var value: Double { Double(sign: .plus, exponent: Int(exponent), significand: Double(mantissa)) }
}
