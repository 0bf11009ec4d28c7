import QGen
import QGenArithmetic

// PyTorch's quantized cat (`quantized::cat`, FloatFunctional.cat) under fbgemm and qnnpack: both
// engines run ATen's kernels (aten/src/ATen/native/quantized/cpu/qconcat.cpp). An input quantized
// like the output is copied. Any other input code maps to one output code, so qgen reads each such
// input through a 256-entry table computed here in binary32 (Swift's `Float`, IEEE as ATen's):
//
//   generic path (quantized_cat_impl: dequantize, at::cat, quantize_per_tensor; every input not a
//   channels-last 4-D tensor joined along dimension 1):
//       d = float(s_in) · float(q − zp_in)                    (fbgemm::Dequantize)
//       y = zp_out + RNE(d · (1.0f / float(s_out)))           (fbgemm::Quantize, LEGACY = false)
//
//   NHWC path (qcat_nhwc_kernel: channels-last 4-D inputs along dimension 1), per pixel and input:
//       channels below ⌊C_in / V⌋ · V, V the floats per vector (8 with AVX2, 16 with AVX512),
//       run the vector path:
//           d = fma(float(q), float(s_in), float(s_in) · −float(zp_in))   (Vectorized::dequantize)
//           y = zp_out + RNE(d · float(1.0 / s_out))          (Vec::quantize: a double reciprocal)
//       the remaining channels the scalar path, as the generic path.
//
// Both clamp to the type's range. Measured: every code of 40 scale sets chosen where the two
// dequantizations differ, channel counts 1...100, both memory formats, torch 2.15 (fixtures in
// Tests/Fixtures/engines/pytorch_ops.json).
enum PyTorchCat {
    /// The generic path's (and the NHWC scalar tail's) output code for each input code, lowest first.
    static func scalarTable(input: QuantParams, output: QuantParams) -> [Int32] {
        let s = Float(input.scale), inverse = 1 / Float(output.scale)
        return input.dtype.range.map { q in
            quantize(s * Float(q - input.zeroPoint), inverse: inverse, output: output)
        }
    }

    /// The NHWC vector path's output code for each input code, lowest first.
    static func vectorTable(input: QuantParams, output: QuantParams) -> [Int32] {
        let s = Float(input.scale), premultiplied = s * -Float(input.zeroPoint), inverse = Float(1.0 / output.scale)
        return input.dtype.range.map { q in
            quantize(premultiplied.addingProduct(Float(q), s), inverse: inverse, output: output)
        }
    }

    /// Floats per vector of ATen's build (`Vectorized<float>::size()`), which sets where the NHWC
    /// kernel's vector channels end.
    static func floatsPerVector(_ scheme: RequantizationScheme) -> Int {
        (scheme.elementwiseVectorBlock ?? 64) / 8
    }

    private static func quantize(_ d: Float, inverse: Float, output: QuantParams) -> Int32 {
        // Beyond the type's range every path saturates (fbgemm clips below 2^31 before converting;
        // the scalar path clamps in double), so a huge ratio of scales only saturates here too.
        let t = min(max((d * inverse).rounded(.toNearestOrEven), -0x1p40), 0x1p40)
        let r = Int64(t) + Int64(output.zeroPoint)
        return Int32(min(max(r, Int64(output.dtype.range.lowerBound)), Int64(output.dtype.range.upperBound)))
    }
}
