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
        input.dtype.range.map { ATen.quantize(ATen.scalarDequantize($0, input), inverse: ATen.scalarInverse(output), output) }
    }

    /// The NHWC vector path's output code for each input code, lowest first.
    static func vectorTable(input: QuantParams, output: QuantParams) -> [Int32] {
        input.dtype.range.map { ATen.quantize(ATen.vectorDequantize($0, input), inverse: ATen.doubleInverse(output), output) }
    }

    /// Floats per vector of ATen's build (`Vectorized<float>::size()`), which sets where the NHWC
    /// kernel's vector channels end.
    static func floatsPerVector(_ scheme: RequantizationScheme) -> Int {
        (scheme.elementwiseVectorBlock ?? 64) / 8
    }
}
