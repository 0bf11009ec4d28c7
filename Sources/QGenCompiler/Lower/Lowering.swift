import Foundation
import QGen
import QGenArithmetic

/// The version written into every emitted file's provenance comment.
public let qgenVersion = "0.1.0"

/// The lower stage: turns every real-valued scale into integers for the model's scheme and
/// proves, per node, that no int32 computation in the kernel can overflow. Each op lowers itself
/// (`ResolvedOp.lowering`); this walks the graph.
public enum Lowering {
    public struct Result: Sendable {
        public var model: LoweredModel
        public var real: RealModel
        public var diagnostics: [Diagnostic]
    }

    public static func lower(_ resolved: ResolvedModel) throws -> Result {
        var log = DiagnosticLog()
        var nodes: [LoweredNode] = []
        var realNodes: [String: RealOp] = [:]
        for node in resolved.nodes {
            if let (op, real) = node.op.lowering.lower(node, in: resolved, log: &log) {
                nodes.append(LoweredNode(name: node.name, cName: node.cName, kindName: node.kindName, location: node.location,
                                         inputs: node.inputs, output: node.output, op: op))
                realNodes[node.name] = real
            }
        }
        let diagnostics = try log.check()
        let tensors = resolved.tensors.map { t in
            LoweredTensor(name: t.name, shape: t.shape, layout: t.layout, dtype: t.quant.dtype, zeroPoint: Int32(t.quant.zeroPoint),
                          scaleText: "\(t.quant.scale)", scale32: Float32Parts(Float(t.quant.scale)),
                          inverseScale32: Float32Parts(Float(1) / Float(t.quant.scale)), buffer: t.buffer)
        }
        let model = LoweredModel(
            name: resolved.name, cPrefix: resolved.cPrefix, scheme: resolved.scheme, sourceFile: resolved.sourceFile, qgenVersion: qgenVersion,
            tensors: tensors, nodes: nodes, inputs: resolved.inputs, outputs: resolved.outputs, arenaSize: resolved.arenaSize,
            arenaLowerBound: resolved.arenaLowerBound)
        return Result(model: model, real: RealModel(scales: resolved.tensors.map(\.quant.scale), nodes: realNodes), diagnostics: diagnostics)
    }
}
