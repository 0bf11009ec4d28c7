import QGen

// Reshape / Flatten / Squeeze: the same elements in the same order under a new shape. The resolver
// lets the output share the input's buffer (`ResolvedModel` aliases), so no kernel runs; only when
// a model input is itself a model output does the node copy.

extension Reshape: ResolvableOp {
    var kindName: String {
        switch target {
        case .shape: return "Reshape"
        case .flatten: return "Flatten"
        case .squeeze: return "Squeeze"
        }
    }

    func resolve(_ context: ResolveContext, log: inout DiagnosticLog) -> (ResolvedOp, OutputType)? {
        let what = context.what, at = context.location
        let source = context.inputs[0]
        let input = source.shape, rank = input.count, count = source.count
        var shape: [Int]
        switch target {
        case .shape(let requested):
            let unknown = requested.indices.filter { requested[$0] == -1 }
            guard !requested.isEmpty, unknown.count <= 1, requested.allSatisfy({ $0 >= 1 || $0 == -1 }) else {
                log.error("\(what): shape \(requested) is not valid; give dimensions ≥ 1, at most one of them -1", at: at)
                return nil
            }
            guard let product = SizeLimits.elementCount(requested.filter { $0 != -1 }) else {
                log.error("\(what): shape \(requested) has more elements than \(source.producerText) \(input) (\(count))", at: at)
                return nil
            }
            shape = requested
            if let i = unknown.first {
                guard product > 0, count % product == 0 else {
                    log.error("\(what): shape \(requested) cannot hold the \(count) elements of \(source.producerText) \(input): \(count) is not a multiple of \(product)", at: at)
                    return nil
                }
                shape[i] = count / product
            }
        case .flatten(let startDim):
            let start = startDim < 0 ? startDim + rank : startDim
            guard (0..<rank).contains(start) else {
                log.error("\(what): startDim \(startDim) is out of range for \(source.producerText), shape \(input) (rank \(rank)): give \(-rank)...\(rank - 1)", at: at)
                return nil
            }
            shape = Array(input[..<start]) + [input[start...].reduce(1, *)]
        case .squeeze(let axes):
            let resolved = axes.map { $0 < 0 ? $0 + rank : $0 }
            if let bad = zip(axes, resolved).first(where: { !(0..<rank).contains($0.1) }) {
                log.error("\(what): axis \(bad.0) is out of range for \(source.producerText), shape \(input) (rank \(rank)): give axes in \(-rank)...\(rank - 1)", at: at)
                return nil
            }
            if let bad = zip(axes, resolved).first(where: { input[$0.1] != 1 }) {
                log.error("\(what): axis \(bad.0) of \(source.producerText), shape \(input), has size \(input[bad.1]); Squeeze removes axes of size 1", at: at)
                return nil
            }
            let removed = axes.isEmpty ? Set(input.indices.filter { input[$0] == 1 }) : Set(resolved)
            shape = input.indices.filter { !removed.contains($0) }.map { input[$0] }
        }
        guard shape.reduce(1, *) == count else {
            log.error("\(what): shape \(shape) has \(shape.reduce(1, *)) elements, but \(source.producerText) \(input) has \(count); a reshape keeps every element", at: at)
            return nil
        }
        let layout = shape.count == 4 ? (self.layout ?? source.layout ?? .nchw) : nil
        return (.reshape(ReshapeOp()), OutputType(shape: shape, layout: layout, quant: source.quant))
    }
}

/// A reshape needs nothing beyond its tensors' shapes.
public struct ReshapeOp: Equatable, Codable, Sendable {}

extension ReshapeOp: OpLowering {
    func lower(_ node: ResolvedNode, in model: ResolvedModel, log: inout DiagnosticLog) -> (LoweredOp, RealOp)? {
        (.reshape(self), .activation(.none))
    }
}

extension ReshapeOp: LoweredKernel {
    public func run(_ inputs: [[Int32]], node: LoweredNode, in model: LoweredModel) -> [Int32] { inputs[0] }

    public func runReal(_ inputs: [[Double]], node: LoweredNode, real: RealModel) -> [Double] { inputs[0] }

    public func explain(_ flat: Int, inputs: [[Int32]], node: LoweredNode, in model: LoweredModel) -> [String] {
        ["the same element of the input (a reshape keeps the order and the codes): \(inputs[0][flat])"]
    }

    /// No kernel when the output shares the input's buffer; a copy otherwise.
    public func emit(_ node: LoweredNode, in model: LoweredModel, options: EmitOptions) -> EmittedNode {
        let x = model.tensors[node.inputs[0]], y = model.tensors[node.output]
        guard x.buffer != y.buffer else { return EmittedNode(arrays: [], kernel: nil) }
        return EmittedNode(arrays: [], kernel: CopyKernel(names: EmittedNames.Layer(cName: node.cName), layerName: node.name,
                                                          location: "\(node.location.fileName):\(node.location.line)",
                                                          cType: Emitter.cType(x.dtype), count: x.count))
    }
}

/// Templates/kernel_copy.mustache.
struct CopyKernel: KernelContext {
    var template: String { "kernel_copy" }
    var names: EmittedNames.Layer
    var layerName: String
    var location: String
    var cType: String
    var count: Int
}
