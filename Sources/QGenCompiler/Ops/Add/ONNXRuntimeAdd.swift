import QGen
import QGenArithmetic

// Add under ONNX Runtime: QLinearAdd (com.microsoft), which ONNX Runtime also runs for every
// DequantizeLinear → Add → QuantizeLinear group of a QDQ model. MLAS's x86-64 kernel (AVX2, picked on
// every x86-64 CPU with AVX2: onnxruntime/core/mlas/lib/intrinsics/avx2/qladd_avx2.cpp,
// MlasQLinearAddKernelAvx2Helper) computes in binary32 with two fused multiply-adds:
//
//     r_a = float(s_a / s_out),  r_b = float(s_b / s_out)
//     k   = float(zp_out) − (r_a · zp_a + r_b · zp_b)        (float32 C++ arithmetic, once)
//     t   = fma(float(a), r_a, fma(float(b), r_b, k))
//     y   = saturate(round_half_even(t))                     (cvtps2dq, then packs to the type)
//
// measured against onnxruntime 1.32 (Tests/Fixtures/onnx/ops: QLinearAdd and QDQ Add, uint8 and
// int8). The fixed part k is a constant here, computed as the compiled kernel does. MLAS's other
// kernels (SSE2 without AVX2, NEON) use a fixed-point form instead.

/// `Add` lowered to ONNX Runtime's QLinearAdd.
public struct LoweredONNXRuntimeAdd: Equatable, Codable, Sendable {
    public var count: Int
    /// r_a, r_b.
    public var ratios: [Float32Parts]
    /// k.
    public var fixedPart: Float32Parts
    public var outputMin: Int32
    public var outputMax: Int32
}

enum ONNXRuntimeAdd {
    /// How the compiler contracted `r_a · zp_a + r_b · zp_b` in k (gcc fuses one product into an
    /// fma at -ffp-contract=fast).
    static func fixedPart(_ ra: Float, _ za: Int, _ rb: Float, _ zb: Int, _ zo: Int) -> Float {
        Float(zo) - (rb * Float(zb)).addingProduct(ra, Float(za))
    }

    static func lower(_ node: ResolvedNode, activation: Activation, subtract: Bool, in model: ResolvedModel,
                      log: inout DiagnosticLog) -> (LoweredOp, RealOp)? {
        let what = node.what, at = node.location
        let a = model.tensors[node.inputs[0]].quant, b = model.tensors[node.inputs[1]].quant, output = model.tensors[node.output].quant
        if subtract {
            log.error("\(what): ONNX Runtime has no quantized Sub (QLinearAdd and QLinearMul only), so the onnxRuntime scheme has none; use a TFLite scheme", at: at)
            return nil
        }
        guard activation == .none else {
            log.error("\(what): ONNX Runtime's QLinearAdd fuses no activation (\(activation)); a ReLU there is the output range of a zero point at the type's minimum: use activation .none", at: at)
            return nil
        }
        guard a.dtype != .int16 else {
            log.error("\(what): ONNX Runtime's QLinearAdd takes int8 or uint8 tensors, not int16", at: at)
            return nil
        }
        let so = Float(output.scale)
        let ra = Float(a.scale) / so, rb = Float(b.scale) / so
        // |t| stays far below 2^31 (cvtps2dq's range): |a|, |b| <= 255.
        guard 256 * (Double(ra) + Double(rb)) + 512 < 0x1p30 else {
            log.error("\(what): the output scale \(output.scale) is too small for input scales \(a.scale) and \(b.scale): sums reach \(FixedPointMultiplier.format(256 * (Double(ra) + Double(rb)))) output steps (the limit is 2^30)", at: at)
            return nil
        }
        let k = fixedPart(ra, a.zeroPoint, rb, b.zeroPoint, output.zeroPoint)
        let range = output.dtype.range
        return (.onnxRuntimeAdd(LoweredONNXRuntimeAdd(count: model.tensors[node.output].count, ratios: [Float32Parts(ra), Float32Parts(rb)],
                                                      fixedPart: Float32Parts(k), outputMin: Int32(range.lowerBound), outputMax: Int32(range.upperBound))),
                .activation(.none))
    }
}

extension LoweredONNXRuntimeAdd: LoweredKernel {
    /// t before rounding, in native binary32 (`addingProduct` is a fused multiply-add).
    func sum(_ a: Int32, _ b: Int32) -> Float {
        fixedPart.value.addingProduct(Float(b), ratios[1].value).addingProduct(Float(a), ratios[0].value)
    }

    private func clamp(_ t: Float) -> Int32 {
        let r = Int64(t.rounded(.toNearestOrEven))
        return Int32(min(max(r, Int64(outputMin)), Int64(outputMax)))
    }

    public func run(_ inputs: [[Int32]], node: LoweredNode, in model: LoweredModel) -> [Int32] {
        (0..<count).map { clamp(sum(inputs[0][$0], inputs[1][$0])) }
    }

    public func runReal(_ inputs: [[Double]], node: LoweredNode, real: RealModel) -> [Double] {
        zip(inputs[0], inputs[1]).map { $0 + $1 }
    }

    public func explain(_ flat: Int, inputs: [[Int32]], node: LoweredNode, in model: LoweredModel) -> [String] {
        let a = inputs[0][flat], b = inputs[1][flat], inner = fixedPart.value.addingProduct(Float(b), ratios[1].value)
        return ["r_a = s_a/s_out = \(ratios[0].value), r_b = s_b/s_out = \(ratios[1].value), k = zp_out - (r_a*zp_a + r_b*zp_b) = \(fixedPart.value)",
                "fma(\(b), r_b, k) = \(inner); fma(\(a), r_a, that) = \(sum(a, b))",
                "rounded half to even, saturated to [\(outputMin), \(outputMax)] = \(clamp(sum(a, b)))"]
    }

    public func emit(_ node: LoweredNode, in model: LoweredModel, options: EmitOptions) -> EmittedNode {
        let a = model.tensors[node.inputs[0]], b = model.tensors[node.inputs[1]], y = model.tensors[node.output]
        let kernel = ONNXRuntimeAddKernel(
            names: EmittedNames.Layer(cName: node.cName), layerName: node.name, location: "\(node.location.fileName):\(node.location.line)",
            count: count, type: y.dtype.rawValue, input1CType: Emitter.cType(a.dtype), input2CType: Emitter.cType(b.dtype), outputCType: Emitter.cType(y.dtype),
            native: options.floatRequant && nativeIsExact(a.dtype), outputMin: outputMin, outputMax: outputMax,
            ratio1Mantissa: ratios[0].mantissa, ratio1Exponent: ratios[0].exponent, ratio2Mantissa: ratios[1].mantissa, ratio2Exponent: ratios[1].exponent,
            fixedMantissa: fixedPart.mantissa, fixedExponent: fixedPart.exponent,
            ratio1Literal: Emitter.hexLiteral(ratios[0].value), ratio2Literal: Emitter.hexLiteral(ratios[1].value), fixedLiteral: Emitter.hexLiteral(fixedPart.value),
            ratio1Text: "\(ratios[0].value)", ratio2Text: "\(ratios[1].value)", fixedText: "\(fixedPart.value)")
        return EmittedNode(arrays: [], kernel: kernel,
                           helpers: kernel.native ? [EmittedNode.floatRound] : [EmittedNode.float32Core, EmittedNode.float32Fma])
    }

    /// Whether `float(double(q)·double(r) + double(c))` is the fused multiply-add for both steps and
    /// every pair of codes (then --float-requant emits native code; otherwise the emulation, which
    /// is exact everywhere).
    func nativeIsExact(_ dtype: DType) -> Bool {
        let range = dtype.range
        var inner: [Int32: Float] = [:]
        for b in range {
            let t = Float(Double(b) * Double(ratios[1].value) + Double(fixedPart.value))
            guard t == fixedPart.value.addingProduct(Float(b), ratios[1].value) else { return false }
            inner[Int32(b)] = t
        }
        for a in range {
            for t in inner.values where Float(Double(a) * Double(ratios[0].value) + Double(t)) != t.addingProduct(Float(a), ratios[0].value) {
                return false
            }
        }
        return true
    }
}

/// Templates/kernel_add_onnxruntime.mustache.
struct ONNXRuntimeAddKernel: KernelContext {
    var template: String { "kernel_add_onnxruntime" }
    var names: EmittedNames.Layer
    var layerName: String
    var location: String
    var count: Int
    var type: String
    var input1CType: String
    var input2CType: String
    var outputCType: String
    /// --float-requant: native binary32, the fused steps through doubles.
    var native: Bool
    var outputMin: Int32
    var outputMax: Int32
    var ratio1Mantissa: Int32
    var ratio1Exponent: Int32
    var ratio2Mantissa: Int32
    var ratio2Exponent: Int32
    var fixedMantissa: Int32
    var fixedExponent: Int32
    var ratio1Literal: String
    var ratio2Literal: String
    var fixedLiteral: String
    var ratio1Text: String
    var ratio2Text: String
    var fixedText: String
}
