import QGenArithmetic

/// The output stage every op shares, as a value of the IR: an int32 value (a multiply-accumulate
/// sum, a rescaled sum of two inputs, an average) becomes an output code by
///
///     y = clamp(R(v · m[c]) + zero_point, activation_min, activation_max)
///
/// where `m[c]` is the scheme's representation of the real multiplier (one per channel, or one for
/// the tensor) and `R` the scheme's rounding (`RequantizationScheme.scale`, or
/// `Float32Requantization` for the float32 family, with fbgemm's float bias term added first, or
/// `DoubleRequantization` for `liteRT`'s FULLY_CONNECTED).
public struct Requantizer: Equatable, Codable, Sendable {
    /// One multiplier per output channel; otherwise one for the tensor.
    public var isPerChannel: Bool
    /// Fixed-point schemes (`tflite`, `liteRT`, `singleRounding`, `powerOfTwo`, `fixedPoint`): the
    /// multiplier `mantissa · 2^(shift − 31)`. Empty for float32 schemes and double multipliers.
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
    /// `liteRT`'s FULLY_CONNECTED: the double multiplier `double(s_in)·double(s_w)/double(s_out)`
    /// as an exact integer pair. When not empty, `multipliers` is empty.
    public var doubleMultipliers: [Float64Parts] = []

    /// The output code for `value` in channel `c`. Traps (Swift's overflow check) if the lowering's
    /// range proof were wrong.
    public func apply(_ value: Int32, channel c: Int, scheme: RequantizationScheme) -> Int32 {
        let index = isPerChannel ? c : 0
        let scaled: Int64
        if !doubleMultipliers.isEmpty {
            scaled = DoubleRequantization.scale(value, multiplier: doubleMultipliers[index].value)
        } else if scheme.family == .float32 {
            let biasTerm = floatBiasTerms.isEmpty ? nil : floatBiasTerms[c].value
            scaled = Float32Requantization.scale(value, multiplier: floatMultipliers[index].value, biasTerm: biasTerm)
        } else {
            scaled = Int64(scheme.scale(value, by: multipliers[index]))
        }
        let v = Int32(scaled) + outputZeroPoint
        return min(max(v, activationMin), activationMax)
    }
}

extension Requantizer {
    /// `apply` spelled out for `qgen explain`: `R(v · m) = r (m: …); r + zp = …; clamp [lo, hi] = y`.
    public func explainApply(_ value: Int32, channel c: Int, scheme: RequantizationScheme) -> String {
        let index = isPerChannel ? c : 0
        var unclamped = self
        (unclamped.outputZeroPoint, unclamped.activationMin, unclamped.activationMax) = (0, Int32.min, Int32.max)
        let r = unclamped.apply(value, channel: c, scheme: scheme)
        let text = multiplierTexts.indices.contains(index) ? " (\(multiplierTexts[index]))" : ""
        return "R(\(value) * m) = \(r)\(text); + output zero point \(outputZeroPoint) = \(Int(r) + Int(outputZeroPoint)); "
            + "clamp [\(activationMin), \(activationMax)] (\(activationText)) = \(apply(value, channel: c, scheme: scheme))"
    }
}

extension Requantizer {
    /// The C arguments of `qgen_requantize` between the value and the output zero point, for a
    /// per-tensor requantizer: `multiplier, shift` (fixed point), `mantissa, exponent` (float32,
    /// emulated) or a hexadecimal float literal (`--float-requant`); fbgemm's helper also takes a
    /// bias term, here zero.
    func scalarArguments(scheme: RequantizationScheme, native: Bool) -> String {
        if let m = multipliers.first { return "\(m.mantissa), \(m.shift)" }
        let f = floatMultipliers[0]
        if native { return Emitter.hexLiteral(f.value) + (scheme.hasFloatBias ? ", 0.0f" : "") }
        return "\(f.mantissa), \(f.exponent)" + (scheme.hasFloatBias ? ", 0, 0" : "")
    }
}
