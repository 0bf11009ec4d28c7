import QGenArithmetic

/// A real multiplier in a fixed-point scheme's own form, shared by every op that rescales: TFLite's
/// `QuantizeMultiplier` (`tflite`, `singleRounding`), the nearest power of two (`powerOfTwo`), or a
/// signed b-bit integer and a right shift (`fixedPoint`). Ops turn the outcomes that are not a
/// multiplier into messages about their own scales.
enum FixedPointMultiplier {
    enum Outcome {
        /// The multiplier and its form for comments: `1690499329 * 2^-37`, `2^-5 (relative error …)`.
        case multiplier(QuantizedMultiplier, form: String)
        /// Smaller than the form can hold (below `2^belowExponent`): the multiplier is 0 and the
        /// op's output is constant.
        case flushedToZero(QuantizedMultiplier, form: String, belowExponent: Int)
        /// `tflite`/`singleRounding`: the multiplier must be below `2^limitExponent`.
        case tooLarge(limitExponent: Int)
        /// `powerOfTwo`: the nearest power `2^-n` needs a shift outside 0...62.
        case powerOfTwoOutOfRange(n: Int)
        /// `powerOfTwo`: the nearest power `2^-n` (= `power`) is further than the tolerance.
        case powerOfTwoMiss(n: Int, power: Double, error: Double)
        /// `fixedPoint(bits)`: the multiplier needs `needed` bits (it is ≥ 2^(bits − 1)).
        case needsMoreBits(needed: Int)
    }

    /// `real` must be finite and > 0; `scheme` a fixed-point family scheme.
    static func represent(_ real: Double, scheme: RequantizationScheme) -> Outcome {
        switch scheme {
        case .tflite, .liteRT, .singleRounding:
            let m = QuantizedMultiplier(real: real)
            let form = "\(m.mantissa) * 2^\(Int(m.shift) - 31)"
            if m.isFlushedToZero { return .flushedToZero(m, form: form, belowExponent: -32) }
            if real > 0 && !scheme.shiftRange.contains(m.shift) { return .tooLarge(limitExponent: Int(scheme.shiftRange.upperBound)) }
            return .multiplier(m, form: form)
        case .powerOfTwo(_, let tolerance):
            let (n, power, error) = nearestPowerOfTwo(real)
            guard (0...62).contains(n) else { return .powerOfTwoOutOfRange(n: n) }
            guard error <= tolerance else { return .powerOfTwoMiss(n: n, power: power, error: error) }
            return .multiplier(QuantizedMultiplier(mantissa: 1, shift: Int32(31 - n)), form: "2^-\(n) (relative error \(format(error)))")
        case .fixedPoint(let bits, _):
            // real = q · 2^e with q in [0.5, 1): M = round(q · 2^(bits−1)) < 2^(bits−1), n = bits − 1 − e.
            let e = Int(real.exponent) + 1
            var n = bits - 1 - e
            var mantissa = (real.significand * Double(sign: .plus, exponent: bits - 2, significand: 1)).rounded(.toNearestOrAwayFromZero)
            if mantissa == Double(sign: .plus, exponent: bits - 1, significand: 1) {
                mantissa /= 2
                n -= 1
            }
            if n < 0 { return .needsMoreBits(needed: bits - n) }
            var flushed = false
            if n > 62 {   // keep the shift in 0...62: fewer mantissa bits for tiny multipliers
                mantissa = (real * Double(sign: .plus, exponent: 62, significand: 1)).rounded(.toNearestOrAwayFromZero)
                n = 62
                flushed = mantissa == 0
            }
            let error = abs(mantissa / Double(sign: .plus, exponent: n, significand: 1) - real) / real
            let m = QuantizedMultiplier(mantissa: Int32(mantissa), shift: Int32(31 - n))
            let form = "\(Int(mantissa)) * 2^-\(n) (relative error \(format(error)))"
            return flushed ? .flushedToZero(m, form: form, belowExponent: -63) : .multiplier(m, form: form)
        case .fbgemm, .qnnpack, .onnxRuntime:
            preconditionFailure("float32 scheme in fixed-point lowering")
        }
    }

    /// The nearest power of two `2^-n` to `real` and its relative error.
    static func nearestPowerOfTwo(_ real: Double) -> (n: Int, power: Double, error: Double) {
        let below = Double(sign: .plus, exponent: real.exponent, significand: 1)
        let above = below * 2
        let (power, error) = (real - below) / real <= (above - real) / real ? (below, (real - below) / real) : (above, (above - real) / real)
        return (-Int(power.exponent), power, error)
    }

    static func format(_ x: Double) -> String { String(format: "%.9g", x) }
}
