import QGen
import QGenArithmetic

/// The integer-only model that both the C emitter and the Swift reference interpreter consume: the
/// resolved graph with every op lowered. It holds no `Float` or `Double` (a test walks it to prove
/// so): real values survive only as text for comments (`…Text` fields). Options that change only
/// the emitted text (`--float-requant`, `--float-io`) are not part of it (`EmitOptions`).
public struct LoweredModel: Equatable, Codable, Sendable {
    public var name: String
    public var cPrefix: String
    public var scheme: RequantizationScheme
    public var sourceFile: String
    public var qgenVersion: String
    /// Indexed by `TensorID`, as in the resolved model.
    public var tensors: [LoweredTensor]
    /// In execution order.
    public var nodes: [LoweredNode]
    public var inputs: [TensorID]
    public var outputs: [TensorID]
    public var arenaSize: Int
    /// The most bytes of arena tensors live at one node (no plan can be smaller).
    public var arenaLowerBound: Int

    /// The first model input (the C API's `input`).
    public var input: LoweredTensor { tensors[inputs[0]] }
    /// The first model output (the C API's `output`).
    public var output: LoweredTensor { tensors[outputs[0]] }

    /// The node called `name`.
    public func node(named name: String) -> LoweredNode? { nodes.first { $0.name == name } }

    /// Whether `node` runs in place: its output shares arena bytes with one of its inputs (both are
    /// live at the node, so the planner lets them overlap only for an in-place link).
    public func writesOverItsInput(_ node: LoweredNode) -> Bool {
        guard case .arena(let offset, let size) = tensors[node.output].buffer else { return false }
        return node.inputs.contains { id in
            guard case .arena(let o, let s) = tensors[id].buffer else { return false }
            return o < offset + size && offset < o + s
        }
    }
}

public struct LoweredTensor: Equatable, Codable, Sendable {
    public var name: String
    public var shape: [Int]
    public var layout: Layout?
    public var dtype: DType
    public var zeroPoint: Int32
    public var scaleText: String
    /// The scale as the stacks store it (float32), and `1 / scale` computed in float32 (PyTorch's
    /// quantize multiplies by it), as exact integer pairs.
    public var scale32: Float32Parts
    public var inverseScale32: Float32Parts
    public var buffer: BufferRef

    public var count: Int { shape.reduce(1, *) }
}

public struct LoweredNode: Equatable, Codable, Sendable {
    public var name: String
    public var cName: String
    public var kindName: String
    public var location: SourceLocation
    public var inputs: [TensorID]
    public var output: TensorID
    public var op: LoweredOp

    /// The multiply-accumulate payload, when the node is one (Linear, Conv2d).
    public var mac: LoweredMAC? {
        if case .multiplyAccumulate(let mac) = op { return mac }
        return nil
    }
}

/// Real-valued parameters, kept beside the lowered model for error analysis (the float reference)
/// and explanations; keyed by tensor id and node name, never by position. Never consumed by the
/// emitter.
public struct RealModel: Equatable, Sendable {
    /// The real scale of each tensor, by `TensorID`.
    public var scales: [Double]
    /// Each node's real parameters, by node name.
    public var nodes: [String: RealOp]
    /// Calibration's float model: multiply-accumulate ops use their float weights and bias as given
    /// (where the model gives them) instead of the dequantized int8 weights.
    public var usesFloatWeights = false

    public func mac(_ node: String) -> RealMAC? {
        if case .multiplyAccumulate(let mac)? = nodes[node] { return mac }
        return nil
    }
}
