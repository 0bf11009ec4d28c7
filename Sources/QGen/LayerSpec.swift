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

    /// The quantization this node declares for the tensor it produces (an Input's own), or nil where
    /// the op keeps its input's (Reshape, Pad, …) or leaves it optional and unset. Setting it on such
    /// an op changes nothing.
    public var declaredQuantization: QuantParams? {
        get {
            switch self {
            case .input(let o): return o.quant
            case .linear(let o): return o.output
            case .conv2d(let o): return o.output
            case .depthwiseConv2d(let o): return o.output
            case .add(let o): return o.output
            case .sub(let o): return o.output
            case .mul(let o): return o.output
            case .mean(let o): return o.output
            case .quantize(let o): return o.output
            case .pool2d(let o): return o.output
            case .concatenation(let o): return o.output
            case .softmax(let o): return o.output
            case .lookup(let o): return o.output
            case .reshape, .pad, .transpose, .slice: return nil
            }
        }
        set {
            guard let q = newValue else { return }
            switch self {
            case .input(var o): o.quant = q; self = .input(o)
            case .linear(var o): o.output = q; self = .linear(o)
            case .conv2d(var o): o.output = q; self = .conv2d(o)
            case .depthwiseConv2d(var o): o.output = q; self = .depthwiseConv2d(o)
            case .add(var o): o.output = q; self = .add(o)
            case .sub(var o): o.output = q; self = .sub(o)
            case .mul(var o): o.output = q; self = .mul(o)
            case .mean(var o): o.output = q; self = .mean(o)
            case .quantize(var o): o.output = q; self = .quantize(o)
            case .pool2d(var o): if o.output != nil { o.output = q; self = .pool2d(o) }
            case .concatenation(var o): if o.output != nil { o.output = q; self = .concatenation(o) }
            case .softmax(var o): if o.output != nil { o.output = q; self = .softmax(o) }
            case .lookup(var o): if o.output != nil { o.output = q; self = .lookup(o) }
            case .reshape, .pad, .transpose, .slice: return
            }
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
