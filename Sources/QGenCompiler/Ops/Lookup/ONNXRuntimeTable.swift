import QGen

/// ONNX Runtime's 256-entry tables (onnxruntime/contrib_ops/cpu/quantization/qlinear_lookup_table.cc,
/// QlinearBuildLookupTable), which its QLinearSigmoid, QLinearLeakyRelu and QLinearConcat (an input
/// quantized unlike the output) read: for every input code x, in binary32,
///
///     v = s_in · float(x − zp_in);   w = f(v)
///     y = RNE(clamp(w / s_out, lo − zp_out, hi − zp_out)) + zp_out        (MlasQuantizeLinear)
///
/// Swift's `Float` arithmetic is IEEE binary32 as ONNX Runtime's, so the table computed here is the
/// engine's; the C reads it.
enum ONNXRuntimeTable {
    /// The output code for each input code of `input.dtype`'s range, lowest first.
    static func make(input: QuantParams, output: QuantParams, _ f: (Float) -> Float) -> [Int32] {
        let sIn = Float(input.scale), sOut = Float(output.scale), zp = output.zeroPoint
        let range = output.dtype.range
        return input.dtype.range.map { code in
            let w = f(sIn * Float(code - input.zeroPoint))
            let v = min(max(w / sOut, Float(range.lowerBound - zp)), Float(range.upperBound - zp))
            return Int32(v.rounded(.toNearestOrEven)) + Int32(zp)
        }
    }

    /// MLAS's logistic on x86-64 (onnxruntime/core/mlas/lib/logistic.cpp, MlasLogisticKernel and its
    /// FMA3 kernel, which ONNX Runtime picks on every AVX2 CPU): Eigen's rational approximation on
    /// [−18, 18], each multiply-add fused, p / q + 1/2 clamped to [0, 1].
    static func logistic(_ x: Float) -> Float {
        let v = min(max(x, -18), 18)
        let v2 = v * v
        var p = Float(1.15627324459942e-07).addingProduct(v2, Float(4.37031012579801e-11))
        p = Float(6.08574864600143e-05).addingProduct(p, v2)
        p = Float(8.51377133304701e-03).addingProduct(p, v2)
        p = Float(2.48287947061529e-01).addingProduct(p, v2)
        p = p * v
        var q = Float(5.76102136993427e-09).addingProduct(v2, Float(6.10247389755681e-13))
        q = Float(6.29106785017040e-06).addingProduct(q, v2)
        q = Float(1.70198817374094e-03).addingProduct(q, v2)
        q = Float(1.16817656904453e-01).addingProduct(q, v2)
        q = Float(9.93151921023180e-01).addingProduct(q, v2)
        return min(max(p / q + 0.5, 0), 1)
    }

    /// ONNX Runtime's QLinearLeakyRelu function.
    static func leakyRelu(alpha: Float) -> (Float) -> Float {
        { v in v >= 0 ? v : alpha * v }
    }
}
