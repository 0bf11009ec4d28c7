import QGen
import QGenArithmetic

// Mul under the float32 family: an exact integer product, scaled once in binary32.
//
// ONNX Runtime: QLinearMul (com.microsoft), which ONNX Runtime also runs for a QDQ
// DequantizeLinear → Mul → QuantizeLinear group. MLAS's x86-64 kernel (onnxruntime/core/mlas/lib/
// qlmul.cpp, the SSE2 MlasQLinearMulKernel, compiled without FMA) adds the output zero point in
// binary32 before rounding:
//
//     r = float(float(s_a · s_b) / s_out)
//     p = (a − zp_a) · (b − zp_b)                       (exact, |p| ≤ 65025)
//     y = saturate(round_half_even(float(float(p) · r) + float(zp_out)))
//
// Adding zp_out in float can round where adding it to the rounded integer would not (a tie moved
// by the addition), so MLAS's order is kept, although the fixtures (every pair of codes, 16 scale
// sets, onnxruntime 1.32, Tests/Fixtures/onnx/ops) match either order.
//
// PyTorch (fbgemm and qnnpack alike: `quantized::mul` / `mul_relu`, FloatFunctional.mul, runs
// ATen's qmul_kernel, aten/src/ATen/native/quantized/cpu/kernels/QuantizedOpKernels.cpp, on both
// engines): requantize_from_int, scalar (lrintf) and vector (cvtps2dq) paths alike,
//
//     m = float(float(s_a) · float(s_b)) · float(1.0f / float(s_out))     (left to right)
//     y = clamp(zp_out + round_half_even(float(float(p) · m)), type range);  mul_relu: max(y, zp_out)
//
// Measured: 115,702 elements of uint8 and int8, both engines, torch 2.15 (fixtures in
// Tests/Fixtures/engines/pytorch_ops.json).

/// `Mul` lowered to ONNX Runtime's or PyTorch's binary32 product.
public struct LoweredFloat32Mul: Equatable, Codable, Sendable {
    public var count: Int
    public var zeroPoints: [Int32]
    /// r (ONNX Runtime) or m (PyTorch).
    public var ratio: Float32Parts
    /// ONNX Runtime: float(zp_out), added before rounding. nil: zp_out is added to the rounded integer.
    public var floatZeroPoint: Float32Parts?
    public var outputZeroPoint: Int32
    public var outputMin: Int32
    public var outputMax: Int32
    public var activationText: String
    /// For comments: the engine and the ratio's formula.
    public var engineText: String
    public var ratioText: String
    public var broadcast: Broadcast
}

enum Float32Mul {
    static func lower(_ node: ResolvedNode, activation: Activation, in model: ResolvedModel, log: inout DiagnosticLog) -> (LoweredOp, RealOp)? {
        let what = node.what, at = node.location, scheme = model.scheme
        let a = model.tensors[node.inputs[0]].quant, b = model.tensors[node.inputs[1]].quant, output = model.tensors[node.output].quant
        let isONNXRuntime = scheme == .onnxRuntime
        let engine = isONNXRuntime ? "ONNX Runtime's QLinearMul" : "PyTorch's quantized mul"
        guard activation == .none || !isONNXRuntime && activation == .relu else {
            log.error("\(what): \(engine) fuses \(isONNXRuntime ? "no activation" : "only ReLU (mul_relu)"), but this layer has \(activation); use activation .none\(isONNXRuntime ? "" : " or .relu")", at: at)
            return nil
        }
        guard a.dtype != .int16 else {
            log.error("\(what): \(engine) takes \(isONNXRuntime ? "int8 or uint8" : "quint8 or qint8") tensors, not int16", at: at)
            return nil
        }
        let ratio = isONNXRuntime ? Float(a.scale) * Float(b.scale) / Float(output.scale)
            : Float(a.scale) * Float(b.scale) * (1 / Float(output.scale))
        // |p · r| stays far below 2^31 (cvtps2dq's and lrintf's range).
        guard ratio.isFinite && Double(ratio) * 65025 < 0x1p30 else {
            log.error("\(what): s_a·s_b/s_out = \(ratio) is too large: products reach \(FixedPointMultiplier.format(Double(ratio) * 65025)) output steps (the limit is 2^30); choose a larger output scale", at: at)
            return nil
        }
        let range = output.dtype.range
        let low = activation == .relu ? max(Int32(range.lowerBound), Int32(output.zeroPoint)) : Int32(range.lowerBound)
        return (.float32Mul(LoweredFloat32Mul(
            count: model.tensors[node.output].count, zeroPoints: [Int32(a.zeroPoint), Int32(b.zeroPoint)], ratio: Float32Parts(ratio),
            floatZeroPoint: isONNXRuntime ? Float32Parts(Float(output.zeroPoint)) : nil, outputZeroPoint: Int32(output.zeroPoint),
            outputMin: low, outputMax: Int32(range.upperBound), activationText: activation == .relu ? "mul_relu: at least zp_out" : "the type's range",
            engineText: isONNXRuntime ? "ONNX Runtime's QLinearMul (MLAS's x86-64 kernel)" : "PyTorch's quantized mul (ATen's qmul_kernel, fbgemm and qnnpack)",
            ratioText: isONNXRuntime ? "r = s_a*s_b/s_out = \(ratio)" : "m = s_a*s_b*(1/s_out) = \(ratio)",
            broadcast: Broadcast(outputShape: model.tensors[node.output].shape, inputShapes: node.inputs.map { model.tensors[$0].shape }))),
                .activation(activation))
    }
}

extension LoweredFloat32Mul: LoweredKernel {
    /// float(p) · r, plus float(zp_out) for ONNX Runtime: one or two binary32 roundings.
    func value(_ a: Int32, _ b: Int32) -> Float {
        let product = Float((a - zeroPoints[0]) * (b - zeroPoints[1])) * ratio.value
        return floatZeroPoint.map { product + $0.value } ?? product
    }

    private func code(_ t: Float) -> Int32 {
        let y = Int64(t.rounded(.toNearestOrEven)) + (floatZeroPoint == nil ? Int64(outputZeroPoint) : 0)
        return Int32(min(max(y, Int64(outputMin)), Int64(outputMax)))
    }

    public func run(_ inputs: [[Int32]], node: LoweredNode, in model: LoweredModel) -> [Int32] {
        (0..<count).map { code(value(inputs[0][broadcast.index($0, input: 0)], inputs[1][broadcast.index($0, input: 1)])) }
    }

    public func runReal(_ inputs: [[Double]], node: LoweredNode, real: RealModel) -> [Double] {
        guard case .activation(let activation)? = real.nodes[node.name] else { preconditionFailure("no real parameters for '\(node.name)'") }
        return (0..<count).map { activation.apply(inputs[0][broadcast.index($0, input: 0)] * inputs[1][broadcast.index($0, input: 1)]) }
    }

    public func explain(_ flat: Int, inputs: [[Int32]], node: LoweredNode, in model: LoweredModel) -> [String] {
        let a = inputs[0][broadcast.index(flat, input: 0)], b = inputs[1][broadcast.index(flat, input: 1)], p = (a - zeroPoints[0]) * (b - zeroPoints[1])
        let scaled = "float(\(p)) * (\(ratioText)) = \(Float(p) * ratio.value)"
        if let zp = floatZeroPoint {
            return ["(\(a) - \(zeroPoints[0])) * (\(b) - \(zeroPoints[1])) = \(p)", "\(scaled); + zp_out \(zp.value) = \(value(a, b))",
                    "rounded half to even, saturated to [\(outputMin), \(outputMax)] = \(code(value(a, b)))"]
        }
        return ["(\(a) - \(zeroPoints[0])) * (\(b) - \(zeroPoints[1])) = \(p)", scaled,
                "rounded half to even, + zp_out \(outputZeroPoint), clamped to [\(outputMin), \(outputMax)] (\(activationText)) = \(code(value(a, b)))"]
    }

    public func emit(_ node: LoweredNode, in model: LoweredModel, options: EmitOptions) -> EmittedNode {
        let a = model.tensors[node.inputs[0]], b = model.tensors[node.inputs[1]], y = model.tensors[node.output]
        let kernel = Float32MulKernel(
            names: EmittedNames.Layer(cName: node.cName), layerName: node.name, location: "\(node.location.fileName):\(node.location.line)",
            count: count, type: y.dtype.rawValue, input1CType: Emitter.cType(a.dtype), input2CType: Emitter.cType(b.dtype), outputCType: Emitter.cType(y.dtype),
            native: options.floatRequant, engineText: engineText, index1: broadcast.cIndex(input: 0), index2: broadcast.cIndex(input: 1),
            zeroPoint1: zeroPoints[0], zeroPoint2: zeroPoints[1],
            outputZeroPoint: outputZeroPoint, outputMin: outputMin, outputMax: outputMax, activationText: activationText,
            ratioMantissa: ratio.mantissa, ratioExponent: ratio.exponent, ratioLiteral: Emitter.hexLiteral(ratio.value), ratioText: ratioText,
            floatZeroPoint: floatZeroPoint.map { .init(mantissa: $0.mantissa, exponent: $0.exponent, literal: Emitter.hexLiteral($0.value)) })
        let emulation = floatZeroPoint == nil ? [EmittedNode.float32Core] : [EmittedNode.float32Core, EmittedNode.float32Add]
        return EmittedNode(arrays: [], kernel: kernel, helpers: options.floatRequant ? [EmittedNode.floatRound] : emulation)
    }
}

/// Templates/kernel_mul_float32.mustache.
struct Float32MulKernel: KernelContext {
    struct ZeroPoint: Sendable {
        var mantissa: Int32
        var exponent: Int32
        var literal: String
    }
    var template: String { "kernel_mul_float32" }
    var names: EmittedNames.Layer
    var layerName: String
    var location: String
    var count: Int
    var type: String
    var input1CType: String
    var input2CType: String
    var outputCType: String
    var native: Bool
    var engineText: String
    /// Each input's element for output element i (`i` unless it broadcasts).
    var index1: String
    var index2: String
    var zeroPoint1: Int32
    var zeroPoint2: Int32
    var outputZeroPoint: Int32
    var outputMin: Int32
    var outputMax: Int32
    var activationText: String
    var ratioMantissa: Int32
    var ratioExponent: Int32
    var ratioLiteral: String
    var ratioText: String
    /// ONNX Runtime: float(zp_out), added before rounding.
    var floatZeroPoint: ZeroPoint?
}
