/// A positive real multiplier `m` represented as a Q31 mantissa and a power-of-two exponent:
/// `m ≈ mantissa · 2^(shift − 31)`, with `mantissa` in `[2^30, 2^31 − 1]` (or 0 for `m == 0`).
///
/// `shift` is a *left*-shift exponent, as in TFLite: negative values shift right. This is TFLite's
/// `QuantizeMultiplier` (tensorflow/lite/kernels/internal/quantization_util.cc, see
/// shared/reference/requant.md §2.2), including its edge cases:
///
/// | m | mantissa | shift | note |
/// |---|---:|---:|---|
/// | 0.5 | 2^30 | 0 | |
/// | 0.25 | 2^30 | -1 | |
/// | 1.0 | 2^30 | 1 | multipliers ≥ 1 become left shifts |
/// | 0.75 | 1610612736 | 0 | |
/// | 1 − 2^-33 | 2^30 | 1 | the mantissa rounds up to 2^31 and is halved |
/// | 2^-40 | 0 | 0 | shift < −31: flushed to zero (`isFlushedToZero`) |
///
/// The mantissa is `round(q · 2^31)` with ties away from zero, where `q ∈ [0.5, 1)` is the
/// `frexp` fraction of `m`; `q · 2^31` is exact in `Double`, so the only rounding is that one.
public struct QuantizedMultiplier: Equatable, Hashable, Codable, Sendable, CustomStringConvertible {
    public var mantissa: Int32
    public var shift: Int32

    public init(mantissa: Int32, shift: Int32) {
        self.mantissa = mantissa
        self.shift = shift
    }

    /// Whether `QuantizeMultiplier` flushed a tiny non-zero multiplier (`< 2^-32`) to zero.
    public private(set) var isFlushedToZero: Bool = false

    private enum CodingKeys: String, CodingKey { case mantissa, shift, isFlushedToZero }

    /// TFLite's `QuantizeMultiplier(double)`. `real` must be finite and non-negative.
    public init(real: Double) {
        precondition(real.isFinite && real >= 0, "multiplier must be finite and non-negative: \(real)")
        if real == 0 {
            self.init(mantissa: 0, shift: 0)
            return
        }
        // frexp: real = q · 2^e with q in [0.5, 1). Swift's significand is in [1, 2), so q = s/2.
        var exponent = Int(real.exponent) + 1
        var fixed = (real.significand * 1_073_741_824.0).rounded(.toNearestOrAwayFromZero)  // q · 2^31
        if fixed == 2_147_483_648.0 {
            fixed /= 2
            exponent += 1
        }
        if exponent < -31 {
            self.init(mantissa: 0, shift: 0)
            self.isFlushedToZero = true
            return
        }
        self.init(mantissa: Int32(fixed), shift: Int32(exponent))
    }

    /// The exact rational value as `(numerator, log2 of denominator)`: `mantissa · 2^shift / 2^31`.
    public var description: String { "\(mantissa)·2^\(Int(shift) - 31)" }
}
