// SLEEF's Sleef_tanhf8_u10 (AVX2, fused multiply-adds), which ATen's `Vectorized<float>::tanh()`
// calls on its vector path for PyTorch's quantized tanh; reproduced operation for operation in
// Swift's IEEE binary32 (`addingProduct` is the fused multiply-add), so that its table can be
// computed at lowering time. From SLEEF's sleefsimdsp.c (xtanhf, expk2f) and df.h (the
// double-float helpers in their ENABLE_FMA_SP forms); a double-float value is an unevaluated sum
// hi + lo of two binary32 numbers.
//
//   tanh(x) = sign(x) · (e − 1/e) / (e + 1/e), e = exp(|x|) as a double-float (expk2f), the
//   reciprocal and the quotient in double-float; 1 above |x| = 18.714973875.
//
// The threshold is that of the SLEEF release PyTorch links: later releases clamp at 8.664339742,
// where torch 2.15 still returns 0.99999994 (measured).
enum SleefTanh {
    private struct DoubleFloat {
        var hi: Float
        var lo: Float
    }

    private static func fma(_ a: Float, _ b: Float, _ c: Float) -> Float { c.addingProduct(a, b) }

    /// dfadd2_vf2_vf2_vf
    private static func add2(_ x: DoubleFloat, _ y: Float) -> DoubleFloat {
        let s = x.hi + y, v = s - x.hi
        return DoubleFloat(hi: s, lo: ((x.hi - (s - v)) + (y - v)) + x.lo)
    }

    /// dfadd2_vf2_vf2_vf2
    private static func add2(_ x: DoubleFloat, _ y: DoubleFloat) -> DoubleFloat {
        let s = x.hi + y.hi, v = s - x.hi
        return DoubleFloat(hi: s, lo: ((x.hi - (s - v)) + (y.hi - v)) + (x.lo + y.lo))
    }

    /// dfadd_vf2_vf_vf2
    private static func add(_ x: Float, _ y: DoubleFloat) -> DoubleFloat {
        let s = x + y.hi
        return DoubleFloat(hi: s, lo: ((x - s) + y.hi) + y.lo)
    }

    /// dfadd_vf2_vf2_vf2 (|x| ≥ |y|)
    private static func add(_ x: DoubleFloat, _ y: DoubleFloat) -> DoubleFloat {
        let s = x.hi + y.hi
        return DoubleFloat(hi: s, lo: (((x.hi - s) + y.hi) + x.lo) + y.lo)
    }

    /// dfmul_vf2_vf2_vf
    private static func mul(_ x: DoubleFloat, _ y: Float) -> DoubleFloat {
        let s = x.hi * y
        return DoubleFloat(hi: s, lo: fma(x.lo, y, fma(x.hi, y, -s)))
    }

    /// dfmul_vf2_vf2_vf2
    private static func mul(_ x: DoubleFloat, _ y: DoubleFloat) -> DoubleFloat {
        let s = x.hi * y.hi
        return DoubleFloat(hi: s, lo: fma(x.hi, y.lo, fma(x.lo, y.hi, fma(x.hi, y.hi, -s))))
    }

    /// dfsqu_vf2_vf2
    private static func square(_ x: DoubleFloat) -> DoubleFloat {
        let s = x.hi * x.hi
        return DoubleFloat(hi: s, lo: fma(x.hi + x.hi, x.lo, fma(x.hi, x.hi, -s)))
    }

    /// dfrec_vf2_vf2
    private static func reciprocal(_ d: DoubleFloat) -> DoubleFloat {
        let s = 1 / d.hi
        return DoubleFloat(hi: s, lo: s * fma(-d.lo, s, fma(-d.hi, s, 1)))
    }

    /// dfdiv_vf2_vf2_vf2
    private static func divide(_ n: DoubleFloat, _ d: DoubleFloat) -> DoubleFloat {
        let t = 1 / d.hi, s = n.hi * t
        let u = fma(t, n.hi, -s)
        let v = fma(-d.lo, t, fma(-d.hi, t, 1))
        return DoubleFloat(hi: s, lo: fma(s, v, fma(n.lo, t, u)))
    }

    private static func power2(_ e: Int) -> Float { Float(sign: .plus, exponent: e, significand: 1) }

    /// vldexp2_vf_vf_vi2: d · 2^(e>>1) · 2^(e − e>>1).
    private static func scale(_ d: Float, _ e: Int) -> Float { d * power2(e >> 1) * power2(e - (e >> 1)) }

    /// expk2f: exp of a double-float, as a double-float (0 below −104).
    private static func exp(_ d: DoubleFloat) -> DoubleFloat {
        let q = Int(((d.hi + d.lo) * 1.442695040888963407359924681001892137426645954152985934135449406931).rounded(.toNearestOrEven))
        var s = add2(d, Float(q) * -0.693145751953125)
        s = add2(s, Float(q) * -1.428606765330187045e-06)
        var u: Float = 0.1980960224e-3
        u = fma(u, s.hi, 0.1394256484e-2)
        u = fma(u, s.hi, 0.8333456703e-2)
        u = fma(u, s.hi, 0.4166637361e-1)
        var t = add2(mul(s, u), 0.166666659414234244790680580464)
        t = add2(mul(s, t), 0.5)
        t = add2(s, mul(square(s), t))
        t = add(1, t)
        if d.hi < -104 { return DoubleFloat(hi: 0, lo: 0) }
        return DoubleFloat(hi: scale(t.hi, q), lo: scale(t.lo, q))
    }

    /// Sleef_tanhf8_u10 of one lane.
    static func tanh(_ x: Float) -> Float {
        if x.isNaN { return x }
        let e = exp(DoubleFloat(hi: abs(x), lo: 0))
        let r = reciprocal(e)
        let q = divide(add(e, DoubleFloat(hi: -r.hi, lo: -r.lo)), add(e, r))
        var y = q.hi + q.lo
        if abs(x) > 18.714973875 || y.isNaN { y = 1 }
        return x.sign == .minus ? -y : y
    }
}
