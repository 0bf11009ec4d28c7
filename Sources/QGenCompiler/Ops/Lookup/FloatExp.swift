#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// The two binary32 exponentials PyTorch's quantized sigmoid calls (a function of one 8-bit code,
// so qgen evaluates them at lowering time into tables; ATen's float softmax calls `sleef` on a
// difference of two codes, emulated in the C by helpers_float32_exp):
//
// - ATen's vector path: SLEEF's Sleef_expf8_u10 (AVX2, fused multiply-adds), reproduced here
//   operation for operation in Swift's IEEE binary32 (`addingProduct` is the fused multiply-add).
//   Its steps, from SLEEF's sleefsimdsp.c (xexpf): q = rint(d · R_LN2f); s = d − q·L2Uf − q·L2Lf
//   (two fused steps); a degree-5 polynomial u in s by Horner with fused steps;
//   u = 1 + (s·s·u + s) (fused); u · 2^(q>>1) · 2^(q − q>>1); 0 below −104, ∞ above 100.
// - ATen's scalar path and QNNPACK's table: the C library's expf (std::exp on a float), which is
//   what PyTorch's CPU build calls on Linux (glibc). qgen calls the host's expf: compile on Linux
//   (glibc ≥ 2.28, as CI does) for tables equal to PyTorch's on Linux.
enum FloatExp {
    private static let ln2Reciprocal: Float = 1.442695040888963407359924681001892137426645954152985934135449406931
    private static let ln2Upper: Float = 0.693145751953125
    private static let ln2Lower: Float = 1.428606765330187045e-06
    private static let coefficients: [Float] = [0.00139304355252534151077271, 0.00833336077630519866943359, 0.0416664853692054748535156,
                                                0.166666671633720397949219, 0.5]

    /// SLEEF's Sleef_expf8_u10, as ATen's AVX2 `Vectorized<float>::exp()` computes it.
    static func sleef(_ d: Float) -> Float {
        if d < -104 { return 0 }
        if d > 100 { return .infinity }
        let q = (d * ln2Reciprocal).rounded(.toNearestOrEven)
        var s = d.addingProduct(q, -ln2Upper)
        s = s.addingProduct(q, -ln2Lower)
        var u: Float = 0.000198527617612853646278381
        for c in coefficients { u = c.addingProduct(u, s) }
        u = 1 + s.addingProduct(s * s, u)
        let k = Int(q), half = k >> 1
        return u * Float(sign: .plus, exponent: half, significand: 1) * Float(sign: .plus, exponent: k - half, significand: 1)
    }

    /// The C library's expf.
    static func library(_ x: Float) -> Float { expf(x) }

    /// The C library's tanhf (ATen's scalar tanh path and QNNPACK's tanh table).
    static func libraryTanh(_ x: Float) -> Float { tanhf(x) }
}
