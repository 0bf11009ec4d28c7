import QGen

// Slice: indices start, start + step, … below end of one axis. The input seen as
// [outer, size, inner] (the axes before, the cut axis, the axes after) gives output element
// (a, k, b) = input (a, start + k·step, b). Every output element copies one input code, so the op is
// exact under every scheme (PyTorch's views, ONNX Runtime's and TFLite's slices move bytes).

extension Slice: ResolvableOp {
    var kindName: String { "Slice" }

    func resolve(_ context: ResolveContext, log: inout DiagnosticLog) -> (ResolvedOp, OutputType)? {
        let what = context.what, at = context.location
        let source = context.inputs[0]
        let rank = source.shape.count
        guard (-rank..<rank).contains(axis) else {
            log.error("\(what): axis \(axis) is out of range for \(source.producerText), shape \(source.shape) (rank \(rank)): give \(-rank)...\(rank - 1)", at: at)
            return nil
        }
        let resolvedAxis = axis < 0 ? axis + rank : axis
        let size = source.shape[resolvedAxis]
        guard step >= 1 else {
            log.error("\(what): step \(step) is not valid; give a step ≥ 1", at: at)
            return nil
        }
        guard start >= 0, start < end, end <= size else {
            log.error("\(what): the range \(start)..<\(end) of axis \(axis) is not inside \(source.producerText), shape \(source.shape), or is empty: give 0 ≤ start < end ≤ \(size)", at: at)
            return nil
        }
        let op = SliceOp(outer: source.shape[..<resolvedAxis].reduce(1, *), size: size, inner: source.shape[(resolvedAxis + 1)...].reduce(1, *),
                         start: start, count: (end - start - 1) / step + 1, step: step)
        var shape = source.shape
        shape[resolvedAxis] = op.count
        let layout = rank == 4 ? (source.layout ?? .nchw) : nil
        return (.slice(op), OutputType(shape: shape, layout: layout, quant: source.quant))
    }
}

/// The input seen as `[outer, size, inner]`; the output `[outer, count, inner]` keeps indices
/// `start + k·step` of the middle axis.
public struct SliceOp: Equatable, Codable, Sendable {
    public var outer: Int
    public var size: Int
    public var inner: Int
    public var start: Int
    public var count: Int
    public var step: Int

    /// The input element that output element `flat` copies.
    func source(of flat: Int) -> Int {
        let b = flat % inner, k = flat / inner % count, a = flat / (inner * count)
        return (a * size + start + k * step) * inner + b
    }
}

extension SliceOp: OpLowering {
    func lower(_ node: ResolvedNode, in model: ResolvedModel, log: inout DiagnosticLog) -> (LoweredOp, RealOp)? {
        (.slice(self), .activation(.none))
    }
}

extension SliceOp: LoweredKernel {
    public func run(_ inputs: [[Int32]], node: LoweredNode, in model: LoweredModel) -> [Int32] {
        (0..<outer * count * inner).map { inputs[0][source(of: $0)] }
    }

    public func runReal(_ inputs: [[Double]], node: LoweredNode, real: RealModel) -> [Double] {
        (0..<outer * count * inner).map { inputs[0][source(of: $0)] }
    }

    public func explain(_ flat: Int, inputs: [[Int32]], node: LoweredNode, in model: LoweredModel) -> [String] {
        ["copied from input element \(source(of: flat)) = \(inputs[0][source(of: flat)]) (indices \(start)..<\(start + (count - 1) * step + 1) step \(step) of an axis of \(size))"]
    }

    public func emit(_ node: LoweredNode, in model: LoweredModel, options: EmitOptions) -> EmittedNode {
        let x = model.tensors[node.inputs[0]]
        return EmittedNode(arrays: [], kernel: SliceKernel(
            names: EmittedNames.Layer(cName: node.cName), layerName: node.name, location: "\(node.location.fileName):\(node.location.line)",
            cType: Emitter.cType(x.dtype), inputShape: "\(x.shape)", outputShape: "\(model.tensors[node.output].shape)",
            outer: outer, size: size, inner: inner, start: start, count: count, step: step))
    }
}

/// Templates/kernel_slice.mustache.
struct SliceKernel: KernelContext {
    var template: String { "kernel_slice" }
    var names: EmittedNames.Layer
    var layerName: String
    var location: String
    var cType: String
    var inputShape: String
    var outputShape: String
    var outer: Int
    var size: Int
    var inner: Int
    var start: Int
    var count: Int
    var step: Int
}
