import QGen

// Pad: TFLite's PAD on int8/uint8: every output element outside the input reads the zero point
// (TFLite pads quantized tensors with the output zero point, which equals the input's).

extension Pad: ResolvableOp {
    var kindName: String { "Pad" }

    func resolve(_ context: ResolveContext, log: inout DiagnosticLog) -> (ResolvedOp, OutputType)? {
        let what = context.what, at = context.location
        let source = context.inputs[0]
        let rank = source.shape.count
        guard padding.count == rank, padding.allSatisfy({ $0.count == 2 }) else {
            log.error("\(what): padding has \(padding.count) entries for \(source.producerText), shape \(source.shape); give one [before, after] pair per axis (\(rank))", at: at)
            return nil
        }
        if let bad = padding.flatMap({ $0 }).first(where: { $0 < 0 || $0 > SizeLimits.maxDimension }) {
            log.error("\(what): padding \(bad) must be in 0...\(SizeLimits.maxDimension)", at: at)
            return nil
        }
        let shape = zip(source.shape, padding).map { $0 + $1[0] + $1[1] }
        guard SizeLimits.check(what: what, at: at, ("output", shape), log: &log) else { return nil }
        return (.pad(PadOp(inputShape: source.shape, before: padding.map { $0[0] }, outputShape: shape)),
                OutputType(shape: shape, layout: source.layout, quant: source.quant))
    }
}

public struct PadOp: Equatable, Codable, Sendable {
    public var inputShape: [Int]
    public var before: [Int]
    public var outputShape: [Int]

    /// The input index that output element `flat` reads, or nil for padding.
    func source(of flat: Int) -> Int? {
        var rest = flat, index = 0, stride = 1
        for axis in (0..<outputShape.count).reversed() {
            let c = rest % outputShape[axis] - before[axis]
            rest /= outputShape[axis]
            guard c >= 0 && c < inputShape[axis] else { return nil }
            index += c * stride
            stride *= inputShape[axis]
        }
        return index
    }
}

extension PadOp: OpLowering {
    func lower(_ node: ResolvedNode, in model: ResolvedModel, log: inout DiagnosticLog) -> (LoweredOp, RealOp)? {
        (.pad(LoweredPad(op: self, zeroPoint: Int32(model.tensors[node.output].quant.zeroPoint))), .activation(.none))
    }
}

public struct LoweredPad: Equatable, Codable, Sendable {
    public var op: PadOp
    public var zeroPoint: Int32
}

extension LoweredPad: LoweredKernel {
    public func run(_ inputs: [[Int32]], node: LoweredNode, in model: LoweredModel) -> [Int32] {
        (0..<op.outputShape.reduce(1, *)).map { op.source(of: $0).map { inputs[0][$0] } ?? zeroPoint }
    }

    public func runReal(_ inputs: [[Double]], node: LoweredNode, real: RealModel) -> [Double] {
        (0..<op.outputShape.reduce(1, *)).map { op.source(of: $0).map { inputs[0][$0] } ?? 0 }
    }

    public func explain(_ flat: Int, inputs: [[Int32]], node: LoweredNode, in model: LoweredModel) -> [String] {
        guard let i = op.source(of: flat) else { return ["padding: the zero point \(zeroPoint)"] }
        return ["copied from input element \(i) = \(inputs[0][i])"]
    }

    public func emit(_ node: LoweredNode, in model: LoweredModel, options: EmitOptions) -> EmittedNode {
        let x = model.tensors[node.inputs[0]]
        var axes: [PadKernel.Axis] = []
        var outStride = 1, inStride = 1
        for axis in (0..<op.outputShape.count).reversed() {
            axes.insert(.init(outputStride: outStride, outputSize: op.outputShape[axis], before: op.before[axis], inputSize: op.inputShape[axis],
                              inputStride: inStride), at: 0)
            outStride *= op.outputShape[axis]
            inStride *= op.inputShape[axis]
        }
        return EmittedNode(arrays: [], kernel: PadKernel(
            names: EmittedNames.Layer(cName: node.cName), layerName: node.name, location: "\(node.location.fileName):\(node.location.line)",
            cType: Emitter.cType(x.dtype), count: outStride, zeroPoint: zeroPoint, inputShape: "\(op.inputShape)", outputShape: "\(op.outputShape)", axes: axes))
    }
}

/// Templates/kernel_pad.mustache.
struct PadKernel: KernelContext {
    struct Axis: Sendable {
        var outputStride: Int
        var outputSize: Int
        var before: Int
        var inputSize: Int
        var inputStride: Int
    }
    var template: String { "kernel_pad" }
    var names: EmittedNames.Layer
    var layerName: String
    var location: String
    var cType: String
    var count: Int
    var zeroPoint: Int32
    var inputShape: String
    var outputShape: String
    var axes: [Axis]
}
