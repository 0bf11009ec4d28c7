import QGenArithmetic

/// The output stage every op shares, as a value of the IR: an int32 value (a multiply-accumulate
/// sum, a rescaled sum of two inputs, an average) becomes an output code by
///
///     y = clamp(R(v · m[c]) + zero_point, activation_min, activation_max)
///
/// where `m[c]` is the scheme's representation of the real multiplier (one per channel, or one for
/// the tensor) and `R` the scheme's rounding (`RequantizationScheme.scale`, or
/// `Float32Requantization` for the float32 family, with fbgemm's float bias term added first).
public struct Requantizer: Equatable, Codable, Sendable {
    /// One multiplier per output channel; otherwise one for the tensor.
    public var isPerChannel: Bool
    /// Fixed-point schemes (`tflite`, `singleRounding`, `powerOfTwo`, `fixedPoint`): the multiplier
    /// `mantissa · 2^(shift − 31)`. Empty for float32 schemes.
    public var multipliers: [QuantizedMultiplier]
    /// float32 schemes (`fbgemm`, `qnnpack`, `onnxRuntime`): the float32 multiplier as an exact
    /// integer pair. Empty for fixed-point schemes.
    public var floatMultipliers: [Float32Parts]
    /// `fbgemm` only, one per output channel: the float bias in accumulator units (`b / (s_in·s_w)`
    /// in float32), added to `float(v)` before the multiply. Empty otherwise.
    public var floatBiasTerms: [Float32Parts]
    /// For comments, one per multiplier: `s_in*s_w/s_out = 0.0123 ~ 1690499329 * 2^-37`.
    public var multiplierTexts: [String]
    public var outputZeroPoint: Int32
    /// The fused activation as a clamp inside the output type's range.
    public var activationMin: Int32
    public var activationMax: Int32
    public var activationText: String

    /// The output code for `value` in channel `c`. Traps (Swift's overflow check) if the lowering's
    /// range proof were wrong.
    public func apply(_ value: Int32, channel c: Int, scheme: RequantizationScheme) -> Int32 {
        let index = isPerChannel ? c : 0
        let scaled: Int64
        if scheme.family == .float32 {
            let biasTerm = floatBiasTerms.isEmpty ? nil : floatBiasTerms[c].value
            scaled = Float32Requantization.scale(value, multiplier: floatMultipliers[index].value, biasTerm: biasTerm)
        } else {
            scaled = Int64(scheme.scale(value, by: multipliers[index]))
        }
        let v = Int32(scaled) + outputZeroPoint
        return min(max(v, activationMin), activationMax)
    }
}
