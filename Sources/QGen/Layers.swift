/// One element of a model, as the compiler receives it.
public enum LayerSpec: Codable, Equatable, Sendable {
    case input(Input)
    case linear(Linear)
    case conv2d(Conv2d)

    public var name: String {
        switch self {
        case .input(let l): return l.name
        case .linear(let l): return l.name
        case .conv2d(let l): return l.name
        }
    }

    public var location: SourceLocation {
        switch self {
        case .input(let l): return l.location
        case .linear(let l): return l.location
        case .conv2d(let l): return l.location
        }
    }
}

/// Anything that can appear in a `Model { … }` body.
public protocol LayerConvertible {
    var layerSpec: LayerSpec { get }
}

/// The model's input tensor: its shape (PyTorch layout: `[N, C, H, W]` for images, `[N, F]` for
/// vectors) and quantization.
public struct Input: LayerConvertible, Codable, Equatable, Sendable {
    public var name: String
    public var shape: [Int]
    public var quant: QuantParams
    public var location: SourceLocation

    public init(_ name: String, shape: [Int], _ quant: QuantParams, file: String = #filePath, line: Int = #line) {
        self.name = name
        self.shape = shape
        self.quant = quant
        self.location = SourceLocation(file: file, line: line)
    }

    public var layerSpec: LayerSpec { .input(self) }
}

/// A fully connected layer, `y[n][o] = Σ_k x[n][k] · W[o][k] + b[o]` on a batch of inputs
/// `[N, K]`. An input with more dimensions is flattened to `[N, product of the rest]` (like
/// `torch.flatten(x, 1)`). Weights are `[outFeatures, K]` (PyTorch layout).
public struct Linear: LayerConvertible, Codable, Equatable, Sendable {
    public var name: String
    public var outFeatures: Int
    public var weight: Weights
    public var bias: Bias?
    public var output: QuantParams
    public var activation: Activation
    public var location: SourceLocation

    public init(
        _ name: String, outFeatures: Int, weight: Weights, bias: Bias? = nil,
        output: QuantParams, activation: Activation = .none, file: String = #filePath, line: Int = #line
    ) {
        self.name = name
        self.outFeatures = outFeatures
        self.weight = weight
        self.bias = bias
        self.output = output
        self.activation = activation
        self.location = SourceLocation(file: file, line: line)
    }

    public var layerSpec: LayerSpec { .linear(self) }
}

/// A 2-D convolution on `[N, C, H, W]` input with OIHW weights `[outChannels, C / groups, kH, kW]`
/// (PyTorch layout and semantics: zero padding in real terms, i.e. padding with the input zero
/// point). `groups == C == outChannels` is a depthwise convolution.
public struct Conv2d: LayerConvertible, Codable, Equatable, Sendable {
    public var name: String
    public var outChannels: Int
    public var kernel: Size2
    public var stride: Size2
    public var padding: Size2
    public var dilation: Size2
    public var groups: Int
    public var weight: Weights
    public var bias: Bias?
    public var output: QuantParams
    public var activation: Activation
    public var location: SourceLocation

    public init(
        _ name: String, outChannels: Int, kernel: some Size2Convertible, stride: some Size2Convertible = 1, padding: some Size2Convertible = 0,
        dilation: some Size2Convertible = 1, groups: Int = 1, weight: Weights, bias: Bias? = nil,
        output: QuantParams, activation: Activation = .none, file: String = #filePath, line: Int = #line
    ) {
        self.name = name
        self.outChannels = outChannels
        self.kernel = kernel.size2
        self.stride = stride.size2
        self.padding = padding.size2
        self.dilation = dilation.size2
        self.groups = groups
        self.weight = weight
        self.bias = bias
        self.output = output
        self.activation = activation
        self.location = SourceLocation(file: file, line: line)
    }

    public var layerSpec: LayerSpec { .conv2d(self) }
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
