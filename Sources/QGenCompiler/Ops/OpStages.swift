import Foundation
import QGen

// The stage enums: one case per op payload, one switch each, whose cases only delegate to the op's
// own code (Ops/<Op>/). Adding an op adds a case here.

/// An op after resolution: shapes known, constants loaded, scales still real.
public enum ResolvedOp: Equatable, Codable, Sendable {
    case multiplyAccumulate(ResolvedMAC)
    case add(ResolvedAdd)
    case pool2d(ResolvedPool)
    case mean(ResolvedMean)
    case reshape(ReshapeOp)
    case concatenation(ResolvedConcatenation)
    case quantize(ResolvedQuantize)
    case softmax(ResolvedSoftmax)
    case lookup(ResolvedLookup)
    case mul(ResolvedMul)
    case pad(PadOp)
    case transpose(TransposeOp)
    case slice(SliceOp)

    var lowering: any OpLowering {
        switch self {
        case .multiplyAccumulate(let op): return op
        case .add(let op): return op
        case .pool2d(let op): return op
        case .mean(let op): return op
        case .reshape(let op): return op
        case .concatenation(let op): return op
        case .quantize(let op): return op
        case .softmax(let op): return op
        case .lookup(let op): return op
        case .mul(let op): return op
        case .pad(let op): return op
        case .transpose(let op): return op
        case .slice(let op): return op
        }
    }
}

/// An op after lowering: integers only.
public enum LoweredOp: Equatable, Codable, Sendable {
    case multiplyAccumulate(LoweredMAC)
    case add(LoweredAdd)
    case pytorchAdd(LoweredPyTorchAdd)
    case onnxRuntimeAdd(LoweredONNXRuntimeAdd)
    case pool2d(LoweredPool)
    case mean(LoweredMean)
    case atenFloatMean(ATenFloatMean)
    case reshape(ReshapeOp)
    case concatenation(LoweredConcatenation)
    case quantize(LoweredQuantize)
    case softmax(LoweredSoftmax)
    case onnxRuntimeSoftmax(ONNXRuntimeSoftmax)
    case qnnpackSoftmax(QNNPACKSoftmax)
    case atenSoftmax(ATenSoftmax)
    case lookup(LoweredLookup)
    case mul(LoweredMul)
    case float32Mul(LoweredFloat32Mul)
    case pad(LoweredPad)
    case transpose(TransposeOp)
    case slice(SliceOp)

    /// The op's integer and float references and its emitter.
    public var kernel: any LoweredKernel {
        switch self {
        case .multiplyAccumulate(let op): return op
        case .add(let op): return op
        case .pytorchAdd(let op): return op
        case .onnxRuntimeAdd(let op): return op
        case .float32Mul(let op): return op
        case .pool2d(let op): return op
        case .mean(let op): return op
        case .atenFloatMean(let op): return op
        case .reshape(let op): return op
        case .concatenation(let op): return op
        case .quantize(let op): return op
        case .softmax(let op): return op
        case .onnxRuntimeSoftmax(let op): return op
        case .qnnpackSoftmax(let op): return op
        case .atenSoftmax(let op): return op
        case .lookup(let op): return op
        case .mul(let op): return op
        case .pad(let op): return op
        case .transpose(let op): return op
        case .slice(let op): return op
        }
    }
}

/// An op's real-valued parameters, kept beside the lowered model for error analysis.
public enum RealOp: Equatable, Sendable {
    case multiplyAccumulate(RealMAC)
    /// Ops whose only real parameter is their fused activation (the scales are the tensors').
    case activation(Activation)
    case softmax(beta: Double)
    case lookup(Lookup.Function)
    case leakyRelu(alpha: Double)
}

/// What the resolver hands an op: its input tensors, the directory of model.swift (for `.npy`
/// paths) and the name messages use for the node.
struct ResolveContext {
    var inputs: [ResolvedTensor]
    var baseDirectory: URL
    /// `layer 'fc' (Linear)`.
    var what: String
    var location: SourceLocation
}

/// The type of the tensor an op produces.
struct OutputType {
    var shape: [Int]
    var layout: Layout?
    var quant: QuantParams
}

/// A DSL op the compiler can resolve (each op's file extends its DSL value with this).
protocol ResolvableOp: OpSpec {
    /// The op's name in messages and comments.
    var kindName: String { get }
    /// Checks the op against its input tensors and loads its constants; logs every problem with
    /// `context.location` and returns nil when there is one.
    func resolve(_ context: ResolveContext, log: inout DiagnosticLog) -> (ResolvedOp, OutputType)?
}

/// The lowering of one resolved op payload under the model's scheme.
protocol OpLowering {
    func lower(_ node: ResolvedNode, in model: ResolvedModel, log: inout DiagnosticLog) -> (LoweredOp, RealOp)?
}

/// What every lowered op provides to the consumers of the lowered model.
public protocol LoweredKernel: Sendable {
    /// The integer reference: the executable specification of the op, written from its
    /// mathematical definition (not from the C). `inputs` are the node's input tensors in order.
    func run(_ inputs: [[Int32]], node: LoweredNode, in model: LoweredModel) -> [Int32]
    /// Real arithmetic on dequantized values, for error analysis only.
    func runReal(_ inputs: [[Double]], node: LoweredNode, real: RealModel) -> [Double]
    /// The op's constant arrays and kernel context.
    func emit(_ node: LoweredNode, in model: LoweredModel, options: EmitOptions) -> EmittedNode
    /// `qgen explain` for output element `flat`: the input codes it reads and each integer step,
    /// one line each (the caller prints the result and the comparisons).
    func explain(_ flat: Int, inputs: [[Int32]], node: LoweredNode, in model: LoweredModel) -> [String]
}
