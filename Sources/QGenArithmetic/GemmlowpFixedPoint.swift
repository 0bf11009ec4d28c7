/// gemmlowp's fixed-point transcendental functions on raw int32 values, as TFLite's and TFLite
/// Micro's int8 SOFTMAX (and LOGISTIC, TANH) evaluate them (google/gemmlowp fixedpoint/fixedpoint.h).
/// A `FixedPoint<int32_t, I>` has I integer bits and 31 − I fractional bits; products are
/// `SaturatingRoundingDoublingHighMul`, power-of-two divisions `RoundingDivideByPOT`, additions
/// plain int32 additions (gemmlowp's `Add`), and `Rescale` a rounding or saturating shift.
public enum GemmlowpFixedPoint {
    /// `SaturatingRoundingMultiplyByPOT<exponent>`: a saturating left shift for exponent > 0, a
    /// rounding right shift (ties away from zero) for exponent < 0.
    @inlinable
    public static func multiplyByPOT(_ x: Int32, _ exponent: Int) -> Int32 {
        if exponent == 0 { return x }
        if exponent < 0 { return Gemmlowp.roundingDivideByPOT(x, Int32(-exponent)) }
        let threshold = Int32((1 << (31 - exponent)) - 1)
        if x > threshold { return Int32.max }
        if x < -threshold { return Int32.min }
        return x * Int32(1 << exponent)
    }

    /// `RoundingHalfSum(a, b)`: `(a + b) / 2` rounded to nearest, ties away from zero.
    @inlinable
    public static func roundingHalfSum(_ a: Int32, _ b: Int32) -> Int32 {
        let sum = Int64(a) + Int64(b)
        return Int32((sum + (sum >= 0 ? 1 : -1)) / 2)
    }

    static func mul(_ a: Int32, _ b: Int32) -> Int32 { Gemmlowp.saturatingRoundingDoublingHighMul(a, b) }

    /// `exp_on_interval_between_negative_one_quarter_and_0_excl` on a Q0.31 raw value: the Taylor
    /// expansion around −1/8.
    public static func expOnNegativeQuarterInterval(_ a: Int32) -> Int32 {
        let constantTerm: Int32 = 1_895_147_668           // exp(-1/8)
        let oneThird: Int32 = 715_827_883
        let x = a &+ (1 << 28)                              // a + 1/8
        let x2 = mul(x, x), x3 = mul(x2, x), x4 = mul(x2, x2)
        let x4Over4 = multiplyByPOT(x4, -2)
        let tail = multiplyByPOT(mul(x4Over4 &+ x3, oneThird) &+ x2, -1)
        return constantTerm &+ mul(constantTerm, x &+ tail)
    }

    /// `exp_on_negative_values` of a `FixedPoint<int32_t, integerBits>` raw value `a ≤ 0`; the
    /// result is Q0.31 raw (exp(0) is `Int32.max`).
    public static func expOnNegativeValues(_ a: Int32, integerBits: Int) -> Int32 {
        let fractionalBits = 31 - integerBits
        let oneQuarter = Int32(1) << (fractionalBits - 2)
        let mask = oneQuarter - 1
        let modQuarterMinusQuarter = (a & mask) - oneQuarter
        var result = expOnNegativeQuarterInterval(multiplyByPOT(modQuarterMinusQuarter, integerBits))
        let remainder = modQuarterMinusQuarter &- a
        // exp(-2^e) in Q0.31 for e = -2 ... 4, applied for each set bit of the remainder.
        let barrel: [(exponent: Int, multiplier: Int32)] = [(-2, 1_672_461_947), (-1, 1_302_514_674), (0, 790_015_084), (1, 290_630_308),
                                                            (2, 39_332_535), (3, 720_401), (4, 242)]
        for (exponent, multiplier) in barrel where integerBits > exponent {
            let shift = fractionalBits + exponent
            if remainder & (Int32(1) << shift) != 0 { result = mul(result, multiplier) }
        }
        if integerBits > 5 {
            let clamp = -(Int32(1) << (36 - integerBits))    // -32.0
            if a < clamp { result = 0 }
        }
        return a == 0 ? Int32.max : result
    }

    /// `one_over_one_plus_x_for_x_in_0_1` on a Q0.31 raw value: Newton–Raphson division with
    /// 48/17 and −32/17 in Q2.29, three iterations.
    public static func oneOverOnePlusX(_ a: Int32) -> Int32 {
        multiplyByPOT(reciprocalOfHalfSum(a), 1)            // ExactMulByPot<-1> then Rescale<0>
    }

    /// 1 / ((1 + a) / 2) in Q2.29 for a Q0.31 `a` in [0, 1): gemmlowp's Newton–Raphson division
    /// from 48/17 − 32/17 · d, three iterations (shared by `one_over_one_plus_x_for_x_in_0_1` and
    /// `one_minus_x_over_one_plus_x_for_x_in_0_1`).
    static func reciprocalOfHalfSum(_ a: Int32) -> Int32 {
        let half = roundingHalfSum(a, Int32.max)
        var x: Int32 = 1_515_870_810 &+ mul(half, -1_010_580_540)
        for _ in 0..<3 {
            let oneMinus = oneQ2 &- mul(half, x)
            x = x &+ multiplyByPOT(mul(x, oneMinus), 2)    // Rescale<2> of a Q4.27 product
        }
        return x
    }

    /// 1.0 in Q2.29.
    static let oneQ2: Int32 = 1 << 29

    /// TFLite's `GetReciprocal(x, integerDigits)`: `1 / x` for a positive `FixedPoint<int32_t,
    /// integerDigits>` as a Q0.31 value and the number of bits it is scaled by.
    public static func reciprocal(_ x: Int32, integerDigits: Int) -> (scale: Int32, bitsOverUnit: Int) {
        let headroomPlusOne = UInt32(bitPattern: x).leadingZeroBitCount
        let shiftedMinusOne = Int32(bitPattern: (UInt32(bitPattern: x) << UInt32(headroomPlusOne)) &- (UInt32(1) << 31))
        return (oneOverOnePlusX(shiftedMinusOne), integerDigits - headroomPlusOne)
    }

    /// `logistic` of a `FixedPoint<int32_t, integerBits>` raw value, Q0.31 raw (1/2 at 0).
    public static func logistic(_ a: Int32, integerBits: Int) -> Int32 {
        if a == 0 { return 1 << 30 }
        let positive = oneOverOnePlusX(expOnNegativeValues(a > 0 ? -a : a, integerBits: integerBits))
        return a > 0 ? positive : Int32.max &- positive
    }

    /// `tanh` of a `FixedPoint<int32_t, integerBits>` raw value, Q0.31 raw: for x < 0,
    /// (1 − exp(−2|x|)) / (1 + exp(−2|x|)) by Newton–Raphson, the sign restored.
    public static func tanh(_ a: Int32, integerBits: Int) -> Int32 {
        if a == 0 { return 0 }
        let n = a < 0 ? a : -a
        // ExactMulByPot<1>: the same raw value read with one more integer bit is 2n.
        let e = expOnNegativeValues(n, integerBits: integerBits + 1)
        let t = multiplyByPOT(reciprocalOfHalfSum(e) &- oneQ2, 2)   // Rescale<0>(2/(1 + e) − 1) from Q2.29
        return a < 0 ? -t : t
    }
}
