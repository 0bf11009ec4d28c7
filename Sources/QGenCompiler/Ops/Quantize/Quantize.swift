import QGen

// Quantize: TFLite's int8/uint8 → int8/uint8 QUANTIZE (reference_ops::Requantize):
// y = clamp(MultiplyByQuantizedMultiplier(x − zp_in, QuantizeMultiplier(s_in / s_out)) + zp_out).
// Under onnxRuntime: QuantizeLinear(DequantizeLinear(x)) in binary32, a table (onnxRuntimeTable).

extension Quantize: ResolvableOp {
    var kindName: String { "Quantize" }

    func resolve(_ context: ResolveContext, log: inout DiagnosticLog) -> (ResolvedOp, OutputType)? {
        let source = context.inputs[0]
        let errorsBefore = log.errorCount
        Resolver.checkActivationQuant(output, what: "\(context.what) output", at: context.location, log: &log)
        guard log.errorCount == errorsBefore else { return nil }
        return (.quantize(ResolvedQuantize()), OutputType(shape: source.shape, layout: source.layout, quant: output))
    }
}

public struct ResolvedQuantize: Equatable, Codable, Sendable {}

extension ResolvedQuantize: OpLowering {
    func lower(_ node: ResolvedNode, in model: ResolvedModel, log: inout DiagnosticLog) -> (LoweredOp, RealOp)? {
        let input = model.tensors[node.inputs[0]].quant, output = model.tensors[node.output].quant
        if model.scheme == .onnxRuntime, input.dtype != .int16, output.dtype != .int16 {
            return (.lookup(Self.onnxRuntimeTable(from: input, to: output)), .activation(.none))
        }
        guard SchemeSupport.requireFixedPoint(node, scheme: model.scheme, what: "requantization", log: &log) else { return nil }
        guard let r = Requantizer.rescaling(from: input, to: output, scheme: model.scheme, what: node.what, at: node.location, log: &log) else { return nil }
        return (.quantize(LoweredQuantize(inputZeroPoint: Int32(input.zeroPoint), rescale: r)), .activation(.none))
    }
}

extension ResolvedQuantize {
    /// ONNX Runtime's QuantizeLinear of its DequantizeLinear, code by code (MLAS, x86-64): the code
    /// dequantized in binary32, `float(q − zp_in) · s_in`, divided by `s_out`, clamped to
    /// `[min − zp_out, max − zp_out]`, rounded half to even (cvtps2dq), plus `zp_out`.
    static func onnxRuntimeTable(from input: QuantParams, to output: QuantParams) -> LoweredLookup {
        let (sIn, sOut) = (Float(input.scale), Float(output.scale))
        let low = Float(output.dtype.range.lowerBound - output.zeroPoint), high = Float(output.dtype.range.upperBound - output.zeroPoint)
        let table: [Int32] = input.dtype.range.map { q in
            let v = min(max(Float(q - input.zeroPoint) * sIn / sOut, low), high)
            return Int32(v.rounded(.toNearestOrEven)) + Int32(output.zeroPoint)
        }
        return LoweredLookup(table: table, text: "ONNX Runtime's QuantizeLinear(DequantizeLinear(x)): RNE(float(x - zp_in) * s_in / s_out) + zp_out, saturated",
                             lowestCode: Int32(input.dtype.range.lowerBound), tail: nil)
    }
}

public struct LoweredQuantize: Equatable, Codable, Sendable {
    public var inputZeroPoint: Int32
    public var rescale: Requantizer
}

extension LoweredQuantize: LoweredKernel {
    public func run(_ inputs: [[Int32]], node: LoweredNode, in model: LoweredModel) -> [Int32] {
        inputs[0].map { rescale.apply($0 - inputZeroPoint, channel: 0, scheme: model.scheme) }
    }

    public func runReal(_ inputs: [[Double]], node: LoweredNode, real: RealModel) -> [Double] { inputs[0] }

    public func explain(_ flat: Int, inputs: [[Int32]], node: LoweredNode, in model: LoweredModel) -> [String] {
        let x = inputs[0][flat]
        return ["input = \(x); x - zp_in = \(x - inputZeroPoint)", rescale.explainApply(x - inputZeroPoint, channel: 0, scheme: model.scheme)]
    }

    public func emit(_ node: LoweredNode, in model: LoweredModel, options: EmitOptions) -> EmittedNode {
        let x = model.tensors[node.inputs[0]], y = model.tensors[node.output]
        let m = rescale.multipliers[0]
        return EmittedNode(arrays: [], kernel: QuantizeKernel(
            names: EmittedNames.Layer(cName: node.cName), layerName: node.name, location: "\(node.location.fileName):\(node.location.line)",
            inputCType: Emitter.cType(x.dtype), outputCType: Emitter.cType(y.dtype), count: x.count, inputZeroPoint: inputZeroPoint,
            multiplier: m.mantissa, shift: m.shift, text: rescale.multiplierTexts[0], outputZeroPoint: rescale.outputZeroPoint,
            outputMin: rescale.activationMin, outputMax: rescale.activationMax), helpers: [EmittedNode.requantize])
    }
}

/// Templates/kernel_quantize.mustache.
struct QuantizeKernel: KernelContext {
    var template: String { "kernel_quantize" }
    var names: EmittedNames.Layer
    var layerName: String
    var location: String
    var inputCType: String
    var outputCType: String
    var count: Int
    var inputZeroPoint: Int32
    var multiplier: Int32
    var shift: Int32
    var text: String
    var outputZeroPoint: Int32
    var outputMin: Int32
    var outputMax: Int32
}
