import QGen

// Quantize: TFLite's int8/uint8 → int8/uint8 QUANTIZE (reference_ops::Requantize):
// y = clamp(MultiplyByQuantizedMultiplier(x − zp_in, QuantizeMultiplier(s_in / s_out)) + zp_out).

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
        guard SchemeSupport.requireFixedPoint(node, scheme: model.scheme, what: "requantization", log: &log) else { return nil }
        guard let r = Requantizer.rescaling(from: input, to: output, scheme: model.scheme, what: node.what, at: node.location, log: &log) else { return nil }
        return (.quantize(LoweredQuantize(inputZeroPoint: Int32(input.zeroPoint), rescale: r)), .activation(.none))
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
