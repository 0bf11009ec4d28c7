/// A 2-D convolution. Padding reads the input zero point (zero in real terms).
///
/// - On NCHW input `[N, C, H, W]` (PyTorch): weights OIHW `[outChannels, C / groups, kH, kW]`.
/// - On NHWC input `[N, H, W, C]` (TFLite): weights OHWI `[outChannels, kH, kW, C / groups]`.
///
/// `weightLayout` names the layout the weights are given in when it is not the input's usual one.
/// `groups == C == outChannels` is a depthwise convolution (or use `DepthwiseConv2d`).
public struct Conv2d: OpSpec {
    public var name: String
    /// The tensor it reads; nil reads the previous node's output.
    public var input: String?
    public var outChannels: Int
    public var kernel: Size2
    public var stride: Size2
    public var padding: Padding
    public var dilation: Size2
    public var groups: Int
    /// nil: OIHW on NCHW input, OHWI on NHWC input.
    public var weightLayout: WeightLayout?
    public var weight: Weights
    public var bias: Bias?
    /// A BatchNorm folded into the float weights and bias before quantization (PyTorch's `fuse_modules`).
    public var batchNorm: BatchNorm?
    public var output: QuantParams
    public var activation: Activation
    public var location: SourceLocation

    public init(
        _ name: String, input: String? = nil, outChannels: Int, kernel: some Size2Convertible, stride: some Size2Convertible = 1,
        padding: some PaddingConvertible = 0, dilation: some Size2Convertible = 1, groups: Int = 1, weightLayout: WeightLayout? = nil,
        weight: Weights, bias: Bias? = nil, batchNorm: BatchNorm? = nil,
        output: QuantParams, activation: Activation = .none, file: String = #filePath, line: Int = #line
    ) {
        self.name = name
        self.input = input
        self.outChannels = outChannels
        self.kernel = kernel.size2
        self.stride = stride.size2
        self.padding = padding.padding
        self.dilation = dilation.size2
        self.groups = groups
        self.weightLayout = weightLayout
        self.weight = weight
        self.bias = bias
        self.batchNorm = batchNorm
        self.output = output
        self.activation = activation
        self.location = SourceLocation(file: file, line: line)
    }

    public var inputs: [String] { input.map { [$0] } ?? [] }
    public var layerSpec: LayerSpec { .conv2d(self) }
}
