/// A 2-D convolution on `[N, C, H, W]` input with OIHW weights `[outChannels, C / groups, kH, kW]`
/// (PyTorch layout and semantics: zero padding in real terms, i.e. padding with the input zero
/// point). `groups == C == outChannels` is a depthwise convolution.
public struct Conv2d: OpSpec {
    public var name: String
    /// The tensor it reads; nil reads the previous node's output.
    public var input: String?
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
        _ name: String, input: String? = nil, outChannels: Int, kernel: some Size2Convertible, stride: some Size2Convertible = 1,
        padding: some Size2Convertible = 0, dilation: some Size2Convertible = 1, groups: Int = 1, weight: Weights, bias: Bias? = nil,
        output: QuantParams, activation: Activation = .none, file: String = #filePath, line: Int = #line
    ) {
        self.name = name
        self.input = input
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

    public var inputs: [String] { input.map { [$0] } ?? [] }
    public var layerSpec: LayerSpec { .conv2d(self) }
}
