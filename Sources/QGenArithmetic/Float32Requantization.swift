/// The output stage of the float32 schemes (`fbgemm`, `qnnpack`, `onnxRuntime`), computed with
/// native IEEE binary32 arithmetic: this is the executable specification that the emitted C's
/// integer-only emulation is tested against.
///
///     fbgemm:               v = (float(acc) + biasTerm) · multiplier     (requant.md §4.2)
///     qnnpack, onnxRuntime: v = float(acc) · multiplier                 (§5.5, §6.2, §7.2)
///     result                = round_half_even(v)
///
/// Each operation is one correctly rounded binary32 operation (round to nearest, ties to even);
/// there is no fused multiply-add. `float(acc)` rounds an int32 to 24 significant bits.
/// ONNX Runtime clamps `v` to `[qmin − zp, qmax − zp]` before rounding; with integer bounds and a
/// monotone rounding that equals clamping afterwards, which is what every scheme here does.
public enum Float32Requantization {
    @inlinable
    public static func scale(_ acc: Int32, multiplier: Float, biasTerm: Float?) -> Int64 {
        var v = Float(acc)
        if let biasTerm { v = v + biasTerm }
        v = v * multiplier
        return Int64(v.rounded(.toNearestOrEven))
    }
}

/// A binary32 value as an exact integer pair, `value = mantissa · 2^exponent`, normalized so that
/// `|mantissa|` is in `[2^23, 2^24)` (or 0). This is how the emitted C carries float32 constants:
/// as integers, so the C needs no floating point to use them.
public struct Float32Parts: Equatable, Hashable, Codable, Sendable {
    public var mantissa: Int32
    public var exponent: Int32

    public init(mantissa: Int32, exponent: Int32) {
        self.mantissa = mantissa
        self.exponent = exponent
    }

    /// `value` must be finite.
    public init(_ value: Float) {
        precondition(value.isFinite, "float32 constant must be finite: \(value)")
        if value == 0 {
            self.init(mantissa: 0, exponent: 0)
            return
        }
        let bits = value.bitPattern
        let biased = Int32((bits >> 23) & 0xFF)
        var magnitude = Int32(bits & 0x7F_FFFF)
        var exponent: Int32
        if biased == 0 {
            exponent = -149                       // subnormal: no implicit bit
        } else {
            magnitude |= 0x80_0000
            exponent = biased - 150
        }
        while magnitude < 0x80_0000 {             // subnormals: normalize (exact)
            magnitude <<= 1
            exponent -= 1
        }
        self.init(mantissa: value.sign == .minus ? -magnitude : magnitude, exponent: exponent)
    }

    /// The exact value (every pair made from a Float is exactly a Float).
    public var value: Float { Float(sign: mantissa < 0 ? .minus : .plus, exponent: Int(exponent), significand: Float(mantissa.magnitude)) }
}
