import QGen

// Transpose: output axis k is input axis permutation[k]. Every output element copies one input
// code, so the op is exact under every scheme (ONNX Runtime's and TFLite's Transpose move bytes).

extension Transpose: ResolvableOp {
    var kindName: String { "Transpose" }

    func resolve(_ context: ResolveContext, log: inout DiagnosticLog) -> (ResolvedOp, OutputType)? {
        let what = context.what, at = context.location
        let source = context.inputs[0]
        let rank = source.shape.count
        guard permutation.count == rank, permutation.sorted() == Array(0..<rank) else {
            log.error("\(what): permutation \(permutation) does not reorder the \(rank) axes of \(source.producerText), shape \(source.shape); give each of 0...\(rank - 1) once", at: at)
            return nil
        }
        let shape = permutation.map { source.shape[$0] }
        var layout: Layout?
        if rank == 4 {
            let from = source.layout ?? .nchw
            layout = self.layout ?? (from == .nhwc && permutation == [0, 3, 1, 2] ? .nchw : from == .nchw && permutation == [0, 2, 3, 1] ? .nhwc : from)
        }
        return (.transpose(TransposeOp(inputShape: source.shape, permutation: permutation)), OutputType(shape: shape, layout: layout, quant: source.quant))
    }
}

public struct TransposeOp: Equatable, Codable, Sendable {
    public var inputShape: [Int]
    public var permutation: [Int]

    var outputShape: [Int] { permutation.map { inputShape[$0] } }

    /// Each output axis's size and the input stride it steps by.
    var axes: [(size: Int, inputStride: Int)] {
        var strides = [Int](repeating: 1, count: inputShape.count)
        for axis in stride(from: inputShape.count - 2, through: 0, by: -1) { strides[axis] = strides[axis + 1] * inputShape[axis + 1] }
        return permutation.map { (inputShape[$0], strides[$0]) }
    }

    /// The input element that output element `flat` copies.
    func source(of flat: Int) -> Int {
        var rest = flat, index = 0
        for axis in axes.reversed() {
            index += rest % axis.size * axis.inputStride
            rest /= axis.size
        }
        return index
    }
}

extension TransposeOp: OpLowering {
    func lower(_ node: ResolvedNode, in model: ResolvedModel, log: inout DiagnosticLog) -> (LoweredOp, RealOp)? {
        (.transpose(self), .activation(.none))
    }
}

extension TransposeOp: LoweredKernel {
    public func run(_ inputs: [[Int32]], node: LoweredNode, in model: LoweredModel) -> [Int32] {
        (0..<inputShape.reduce(1, *)).map { inputs[0][source(of: $0)] }
    }

    public func runReal(_ inputs: [[Double]], node: LoweredNode, real: RealModel) -> [Double] {
        (0..<inputShape.reduce(1, *)).map { inputs[0][source(of: $0)] }
    }

    public func explain(_ flat: Int, inputs: [[Int32]], node: LoweredNode, in model: LoweredModel) -> [String] {
        ["copied from input element \(source(of: flat)) = \(inputs[0][source(of: flat)]) (permutation \(permutation))"]
    }

    public func emit(_ node: LoweredNode, in model: LoweredModel, options: EmitOptions) -> EmittedNode {
        let x = model.tensors[node.inputs[0]]
        var kernelAxes: [TransposeKernel.Axis] = []
        var outputStride = 1
        for axis in axes.reversed() {
            kernelAxes.insert(.init(outputStride: outputStride, outputSize: axis.size, inputStride: axis.inputStride), at: 0)
            outputStride *= axis.size
        }
        return EmittedNode(arrays: [], kernel: TransposeKernel(
            names: EmittedNames.Layer(cName: node.cName), layerName: node.name, location: "\(node.location.fileName):\(node.location.line)",
            cType: Emitter.cType(x.dtype), count: outputStride, permutation: "\(permutation)", inputShape: "\(inputShape)",
            outputShape: "\(outputShape)", axes: kernelAxes))
    }
}

/// Templates/kernel_transpose.mustache.
struct TransposeKernel: KernelContext {
    struct Axis: Sendable {
        var outputStride: Int
        var outputSize: Int
        var inputStride: Int
    }
    var template: String { "kernel_transpose" }
    var names: EmittedNames.Layer
    var layerName: String
    var location: String
    var cType: String
    var count: Int
    var permutation: String
    var inputShape: String
    var outputShape: String
    var axes: [Axis]
}
