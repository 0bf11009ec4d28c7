import QGen
import QGenArithmetic

// Mul: TFLite Micro's int8 MUL (mul_common.cc, reference_integer_ops::MulElementwise):
// (M, s) = QuantizeMultiplier(double(s_a) · double(s_b) / double(s_out)),
// y = clamp(zp_out + MultiplyByQuantizedMultiplier((a − zp_a)(b − zp_b), M, s), act_min, act_max).
// LiteRT's MUL (tflite/kernels/mul.cc) forms the same real multiplier in float32, s_a · s_b / s_out,
// before widening it to double: under liteRT the multiplier can differ in its last bits.
// Under onnxRuntime, fbgemm and qnnpack: Float32Mul.swift.

extension Mul: ResolvableOp {
    var kindName: String { "Mul" }

    func resolve(_ context: ResolveContext, log: inout DiagnosticLog) -> (ResolvedOp, OutputType)? {
        guard let type = Elementwise.outputType(context, kind: kindName, output: output, activation: activation, broadcasts: true, log: &log) else { return nil }
        return (.mul(ResolvedMul(activation: activation)), type)
    }
}

public struct ResolvedMul: Equatable, Codable, Sendable {
    public var activation: Activation
}

extension ResolvedMul: OpLowering {
    func lower(_ node: ResolvedNode, in model: ResolvedModel, log: inout DiagnosticLog) -> (LoweredOp, RealOp)? {
        let scheme = model.scheme, what = node.what, at = node.location
        if scheme.family == .float32 { return Float32Mul.lower(node, activation: activation, in: model, log: &log) }
        guard SchemeSupport.requireFixedPoint(node, scheme: scheme, log: &log) else { return nil }
        let a = model.tensors[node.inputs[0]].quant, b = model.tensors[node.inputs[1]].quant, output = model.tensors[node.output].quant
        let real = scheme == .liteRT ? Double(Float(a.scale) * Float(b.scale) / Float(output.scale))
            : Double(Float(a.scale)) * Double(Float(b.scale)) / Double(Float(output.scale))
        let format = FixedPointMultiplier.format
        let multiplier: QuantizedMultiplier, form: String
        switch FixedPointMultiplier.represent(real, scheme: scheme) {
        case .multiplier(let m, let f), .flushedToZero(let m, let f, _):
            (multiplier, form) = (m, f)
        default:
            log.error("\(what): its multiplier s_a·s_b/s_out = \(format(a.scale))·\(format(b.scale))/\(format(output.scale)) = \(format(real)) cannot be held by the \(scheme) scheme; bring the output scale closer to s_a·s_b", at: at)
            return nil
        }
        let deviation = { (q: QuantParams) in Int64(max(q.dtype.range.upperBound - q.zeroPoint, q.zeroPoint - q.dtype.range.lowerBound)) }
        let bound = deviation(a) * deviation(b)
        let left = Int64(max(Int(multiplier.shift), 0))
        if scheme.family == .tflite && bound << left > Int64(Int32.max) {
            log.error("\(what): the product (up to \(bound)) shifted left by \(left) for s_a·s_b/s_out = \(format(real)) leaves int32; the output scale is too small for these input scales", at: at)
            return nil
        }
        guard let clamp = ActivationRange(activation, output: output, what: what, at: at, log: &log) else { return nil }
        let requantizer = Requantizer(isPerChannel: false, multipliers: [multiplier], floatMultipliers: [], floatBiasTerms: [],
                                      multiplierTexts: ["s_a*s_b/s_out = \(format(real)) ~ \(form)"], outputZeroPoint: Int32(output.zeroPoint),
                                      activationMin: clamp.min, activationMax: clamp.max, activationText: clamp.text)
        return (.mul(LoweredMul(count: model.tensors[node.output].count, inputOffsets: [Int32(-a.zeroPoint), Int32(-b.zeroPoint)], output: requantizer,
                                broadcast: Broadcast(outputShape: model.tensors[node.output].shape, inputShapes: node.inputs.map { model.tensors[$0].shape }))),
                .activation(activation))
    }
}

public struct LoweredMul: Equatable, Codable, Sendable {
    public var count: Int
    /// `−zp` of each input.
    public var inputOffsets: [Int32]
    public var output: Requantizer
    public var broadcast: Broadcast
}

extension LoweredMul: LoweredKernel {
    public func run(_ inputs: [[Int32]], node: LoweredNode, in model: LoweredModel) -> [Int32] {
        (0..<count).map { i in
            let a = inputs[0][broadcast.index(i, input: 0)], b = inputs[1][broadcast.index(i, input: 1)]
            return output.apply((a + inputOffsets[0]) * (b + inputOffsets[1]), channel: 0, scheme: model.scheme)
        }
    }

    public func runReal(_ inputs: [[Double]], node: LoweredNode, real: RealModel) -> [Double] {
        guard case .activation(let activation)? = real.nodes[node.name] else { preconditionFailure("no real parameters for '\(node.name)'") }
        return (0..<count).map { activation.apply(inputs[0][broadcast.index($0, input: 0)] * inputs[1][broadcast.index($0, input: 1)]) }
    }

    public func explain(_ flat: Int, inputs: [[Int32]], node: LoweredNode, in model: LoweredModel) -> [String] {
        let a = inputs[0][broadcast.index(flat, input: 0)], b = inputs[1][broadcast.index(flat, input: 1)]
        let product = (a + inputOffsets[0]) * (b + inputOffsets[1])
        return ["input 1 = \(a), input 2 = \(b); (a - zp_a) * (b - zp_b) = (\(a + inputOffsets[0])) * (\(b + inputOffsets[1])) = \(product)",
                output.explainApply(product, channel: 0, scheme: model.scheme)]
    }

    public func emit(_ node: LoweredNode, in model: LoweredModel, options: EmitOptions) -> EmittedNode {
        let a = model.tensors[node.inputs[0]], b = model.tensors[node.inputs[1]], y = model.tensors[node.output]
        let m = output.multipliers[0]
        return EmittedNode(arrays: [], kernel: MulKernel(
            names: EmittedNames.Layer(cName: node.cName), layerName: node.name, location: "\(node.location.fileName):\(node.location.line)",
            count: count, input1CType: Emitter.cType(a.dtype), input2CType: Emitter.cType(b.dtype), outputCType: Emitter.cType(y.dtype),
            index1: broadcast.cIndex(input: 0), index2: broadcast.cIndex(input: 1), input1Offset: inputOffsets[0], input2Offset: inputOffsets[1], multiplier: m.mantissa, shift: m.shift, text: output.multiplierTexts[0],
            outputZeroPoint: output.outputZeroPoint, activationText: output.activationText, activationMin: output.activationMin, activationMax: output.activationMax), helpers: [EmittedNode.requantize])
    }
}

/// Templates/kernel_mul.mustache.
struct MulKernel: KernelContext {
    var template: String { "kernel_mul" }
    var names: EmittedNames.Layer
    var layerName: String
    var location: String
    var count: Int
    var input1CType: String
    var input2CType: String
    var outputCType: String
    /// Each input's element for output element i (`i` unless it broadcasts).
    var index1: String
    var index2: String
    var input1Offset: Int32
    var input2Offset: Int32
    var multiplier: Int32
    var shift: Int32
    var text: String
    var outputZeroPoint: Int32
    var activationText: String
    var activationMin: Int32
    var activationMax: Int32
}
