import QGen
import QGenArithmetic

// Mul under ONNX Runtime: QLinearMul (com.microsoft), which ONNX Runtime also runs for a QDQ
// DequantizeLinear → Mul → QuantizeLinear group. MLAS's x86-64 kernel (onnxruntime/core/mlas/lib/
// qlmul.cpp, the SSE2 MlasQLinearMulKernel, compiled without FMA) multiplies the exact int16
// differences and finishes in binary32, adding the output zero point before rounding:
//
//     r = float(float(s_a · s_b) / s_out)
//     p = (a − zp_a) · (b − zp_b)                       (exact, |p| ≤ 65025)
//     y = saturate(round_half_even(float(float(p) · r) + float(zp_out)))
//
// Adding zp_out in float can round where adding it to the rounded integer would not (a tie moved
// by the addition), so MLAS's order is kept, although the fixtures (every pair of codes, 16 scale
// sets, onnxruntime 1.32, Tests/Fixtures/onnx/ops) match either order.

/// `Mul` lowered to ONNX Runtime's QLinearMul.
public struct LoweredONNXRuntimeMul: Equatable, Codable, Sendable {
    public var count: Int
    public var zeroPoints: [Int32]
    /// r.
    public var ratio: Float32Parts
    /// float(zp_out).
    public var outputZeroPoint: Float32Parts
    public var outputMin: Int32
    public var outputMax: Int32
}

enum ONNXRuntimeMul {
    static func lower(_ node: ResolvedNode, activation: Activation, in model: ResolvedModel, log: inout DiagnosticLog) -> (LoweredOp, RealOp)? {
        let what = node.what, at = node.location
        let a = model.tensors[node.inputs[0]].quant, b = model.tensors[node.inputs[1]].quant, output = model.tensors[node.output].quant
        guard activation == .none else {
            log.error("\(what): ONNX Runtime's QLinearMul fuses no activation (\(activation)); use activation .none", at: at)
            return nil
        }
        guard a.dtype != .int16 else {
            log.error("\(what): ONNX Runtime's QLinearMul takes int8 or uint8 tensors, not int16", at: at)
            return nil
        }
        let ratio = Float(a.scale) * Float(b.scale) / Float(output.scale)
        // |p · r| stays far below 2^31 (cvtps2dq's range).
        guard Double(ratio) * 65025 < 0x1p30 else {
            log.error("\(what): s_a·s_b/s_out = \(ratio) is too large: products reach \(FixedPointMultiplier.format(Double(ratio) * 65025)) output steps (the limit is 2^30); choose a larger output scale", at: at)
            return nil
        }
        let range = output.dtype.range
        return (.onnxRuntimeMul(LoweredONNXRuntimeMul(count: model.tensors[node.output].count, zeroPoints: [Int32(a.zeroPoint), Int32(b.zeroPoint)],
                                                      ratio: Float32Parts(ratio), outputZeroPoint: Float32Parts(Float(output.zeroPoint)),
                                                      outputMin: Int32(range.lowerBound), outputMax: Int32(range.upperBound))),
                .activation(.none))
    }
}

extension LoweredONNXRuntimeMul: LoweredKernel {
    /// float(p) · r + float(zp_out), two binary32 roundings.
    func value(_ a: Int32, _ b: Int32) -> Float {
        let product = Float((a - zeroPoints[0]) * (b - zeroPoints[1])) * ratio.value
        return product + outputZeroPoint.value
    }

    private func clamp(_ t: Float) -> Int32 { Int32(min(max(Int64(t.rounded(.toNearestOrEven)), Int64(outputMin)), Int64(outputMax))) }

    public func run(_ inputs: [[Int32]], node: LoweredNode, in model: LoweredModel) -> [Int32] {
        (0..<count).map { clamp(value(inputs[0][$0], inputs[1][$0])) }
    }

    public func runReal(_ inputs: [[Double]], node: LoweredNode, real: RealModel) -> [Double] {
        zip(inputs[0], inputs[1]).map { $0 * $1 }
    }

    public func explain(_ flat: Int, inputs: [[Int32]], node: LoweredNode, in model: LoweredModel) -> [String] {
        let a = inputs[0][flat], b = inputs[1][flat], p = (a - zeroPoints[0]) * (b - zeroPoints[1])
        return ["(\(a) - \(zeroPoints[0])) * (\(b) - \(zeroPoints[1])) = \(p)",
                "float(\(p)) * (r = s_a*s_b/s_out = \(ratio.value)) = \(Float(p) * ratio.value); + zp_out \(outputZeroPoint.value) = \(value(a, b))",
                "rounded half to even, saturated to [\(outputMin), \(outputMax)] = \(clamp(value(a, b)))"]
    }

    public func emit(_ node: LoweredNode, in model: LoweredModel, options: EmitOptions) -> EmittedNode {
        let a = model.tensors[node.inputs[0]], b = model.tensors[node.inputs[1]], y = model.tensors[node.output]
        let kernel = ONNXRuntimeMulKernel(
            names: EmittedNames.Layer(cName: node.cName), layerName: node.name, location: "\(node.location.fileName):\(node.location.line)",
            count: count, type: y.dtype.rawValue, input1CType: Emitter.cType(a.dtype), input2CType: Emitter.cType(b.dtype), outputCType: Emitter.cType(y.dtype),
            native: options.floatRequant, zeroPoint1: zeroPoints[0], zeroPoint2: zeroPoints[1], outputMin: outputMin, outputMax: outputMax,
            ratioMantissa: ratio.mantissa, ratioExponent: ratio.exponent, zeroPointMantissa: outputZeroPoint.mantissa, zeroPointExponent: outputZeroPoint.exponent,
            ratioLiteral: Emitter.hexLiteral(ratio.value), zeroPointLiteral: Emitter.hexLiteral(outputZeroPoint.value), ratioText: "\(ratio.value)")
        return EmittedNode(arrays: [], kernel: kernel,
                           helpers: options.floatRequant ? [EmittedNode.floatRound] : [EmittedNode.float32Core, EmittedNode.float32Add])
    }
}

/// Templates/kernel_mul_onnxruntime.mustache.
struct ONNXRuntimeMulKernel: KernelContext {
    var template: String { "kernel_mul_onnxruntime" }
    var names: EmittedNames.Layer
    var layerName: String
    var location: String
    var count: Int
    var type: String
    var input1CType: String
    var input2CType: String
    var outputCType: String
    var native: Bool
    var zeroPoint1: Int32
    var zeroPoint2: Int32
    var outputMin: Int32
    var outputMax: Int32
    var ratioMantissa: Int32
    var ratioExponent: Int32
    var zeroPointMantissa: Int32
    var zeroPointExponent: Int32
    var ratioLiteral: String
    var zeroPointLiteral: String
    var ratioText: String
}
