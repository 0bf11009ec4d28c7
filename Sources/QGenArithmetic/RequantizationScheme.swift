/// The arithmetic that turns an int32 accumulator into an output value: a named contract, chosen
/// by the user per model, recorded in the lowered model and in the emitted C's provenance comment.
///
/// Every scheme computes `y = clamp(R(acc · m) + zero_point_out, act_min, act_max)` where `m` is the
/// real multiplier `s_in · s_w / s_out` and `R` is the scheme's product-and-rounding rule.
///
/// | scheme | multiplier | rounding | bit-exact with |
/// |---|---|---|---|
/// | `tflite` | Q31 mantissa + signed shift (`QuantizedMultiplier`) | SRDHM (ties → +∞), then RDBPOT (ties away from 0) | TFLite / TFLite Micro reference kernels, CMSIS-NN default |
/// | `singleRounding` | the same, shift ≤ 30 | one rounding of the exact 64-bit product, ties → +∞ | TFLite built with `TFLITE_SINGLE_ROUNDING`, ruy, CMSIS-NN `CMSIS_NN_USE_SINGLE_ROUNDING` |
///
/// For both, scales are first rounded to float32 (the type a .tflite file stores) and the real
/// multiplier is formed as TFLite forms it (shared/reference/requant.md §2.2): per channel
/// `double(s_in) · double(s_w[c]) / double(s_out)`; for a per-tensor Linear
/// `double(float(s_in · s_w)) / double(s_out)`.
public enum RequantizationScheme: String, Equatable, Hashable, Codable, Sendable, CaseIterable {
    case tflite
    case singleRounding

    /// One line for provenance comments and `--help`.
    public var summary: String {
        switch self {
        case .tflite:
            return "tflite (Q31 multiplier, double rounding: SRDHM ties up, then RDBPOT ties away from zero; TFLite Micro / CMSIS-NN default)"
        case .singleRounding:
            return "singleRounding (Q31 multiplier, one rounding of the 64-bit product, ties up; TFLITE_SINGLE_ROUNDING / CMSIS_NN_USE_SINGLE_ROUNDING)"
        }
    }

    /// The shifts this scheme can apply: `tflite` shifts the accumulator left by up to 31 bits and
    /// right by up to 31 (RDBPOT's domain); `singleRounding` needs `31 − shift` in `[1, 62]` and
    /// TFLite caps its shift at 30.
    public var shiftRange: ClosedRange<Int32> {
        switch self {
        case .tflite: return -31...31
        case .singleRounding: return -31...30
        }
    }

    /// `R(acc · m)`, the scaled accumulator before the output zero point is added.
    ///
    /// Preconditions (proved for every layer at lowering): `multiplier.shift` in `shiftRange`, and
    /// for `tflite` `acc · 2^max(shift, 0)` fits in int32.
    @inlinable
    public func scale(_ acc: Int32, by multiplier: QuantizedMultiplier) -> Int32 {
        switch self {
        case .tflite:
            return Self.doubleRounding(acc, multiplier)
        case .singleRounding:
            return Self.singleRounding(acc, multiplier)
        }
    }

    /// TFLite's default `MultiplyByQuantizedMultiplier`:
    /// `RDBPOT(SRDHM(acc · 2^left, M), right)` with `left = max(shift, 0)`, `right = max(-shift, 0)`.
    @inlinable
    public static func doubleRounding(_ acc: Int32, _ multiplier: QuantizedMultiplier) -> Int32 {
        let left = max(multiplier.shift, 0)
        let right = max(-multiplier.shift, 0)
        let shifted = Int32(Int64(acc) << Int64(left))   // traps if the lowering's bound were wrong
        let high = Gemmlowp.saturatingRoundingDoublingHighMul(shifted, multiplier.mantissa)
        return Gemmlowp.roundingDivideByPOT(high, right)
    }

    /// TFLite's `TFLITE_SINGLE_ROUNDING` `MultiplyByQuantizedMultiplier`:
    /// `(acc · M + 2^(total − 1)) >> total` with `total = 31 − shift`, i.e. one rounding, ties up.
    @inlinable
    public static func singleRounding(_ acc: Int32, _ multiplier: QuantizedMultiplier) -> Int32 {
        let total = 31 - Int(multiplier.shift)
        let product = Int64(acc) * Int64(multiplier.mantissa)
        return Int32(PowerOfTwoRounding.roundHalfUp(product, byPowerOfTwo: total))
    }
}
