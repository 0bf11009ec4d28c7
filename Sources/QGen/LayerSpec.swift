/// One node of a model, as the compiler receives it: an op value from the DSL. Each case holds the
/// op's own value type (Sources/QGen/Ops/); everything common is reached through `op`.
public enum LayerSpec: Codable, Equatable, Sendable {
    case input(Input)
    case linear(Linear)
    case conv2d(Conv2d)
    case depthwiseConv2d(DepthwiseConv2d)
    case add(Add)
    case pool2d(Pool2d)
    case mean(Mean)
    case reshape(Reshape)
    case concatenation(Concatenation)
    case quantize(Quantize)
    case softmax(Softmax)
    case lookup(Lookup)
    case sub(Sub)
    case mul(Mul)
    case pad(Pad)
    case transpose(Transpose)
    case slice(Slice)

    /// The op value behind the case (the one switch over DSL ops).
    public var op: any OpSpec {
        switch self {
        case .input(let o): return o
        case .linear(let o): return o
        case .conv2d(let o): return o
        case .depthwiseConv2d(let o): return o
        case .add(let o): return o
        case .pool2d(let o): return o
        case .mean(let o): return o
        case .reshape(let o): return o
        case .concatenation(let o): return o
        case .quantize(let o): return o
        case .softmax(let o): return o
        case .lookup(let o): return o
        case .sub(let o): return o
        case .mul(let o): return o
        case .pad(let o): return o
        case .transpose(let o): return o
        case .slice(let o): return o
        }
    }

    public var name: String { op.name }
    public var location: SourceLocation { op.location }
    /// The names of the tensors this node reads; empty means "the previous node's output".
    public var inputs: [String] { op.inputs }
}

/// What every DSL op value provides: its name (which is also the name of the tensor it produces),
/// the tensors it reads and where it was written.
public protocol OpSpec: LayerConvertible, Codable, Equatable, Sendable {
    var name: String { get }
    /// Names of earlier nodes (or inputs) whose outputs this op reads, in the op's order. Empty
    /// means the chain shorthand: the output of the node written just before.
    var inputs: [String] { get }
    var location: SourceLocation { get }
}

/// Anything that can appear in a `Model { … }` body.
public protocol LayerConvertible {
    var layerSpec: LayerSpec { get }
}

@resultBuilder
public enum LayerBuilder {
    public static func buildExpression(_ layer: some LayerConvertible) -> [LayerSpec] { [layer.layerSpec] }
    public static func buildExpression(_ layers: [LayerSpec]) -> [LayerSpec] { layers }
    public static func buildBlock(_ parts: [LayerSpec]...) -> [LayerSpec] { parts.flatMap { $0 } }
    public static func buildArray(_ parts: [[LayerSpec]]) -> [LayerSpec] { parts.flatMap { $0 } }
    public static func buildOptional(_ part: [LayerSpec]?) -> [LayerSpec] { part ?? [] }
    public static func buildEither(first: [LayerSpec]) -> [LayerSpec] { first }
    public static func buildEither(second: [LayerSpec]) -> [LayerSpec] { second }
}
