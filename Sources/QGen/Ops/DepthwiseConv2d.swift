/// A depthwise convolution: each input channel `c` is convolved with `depthMultiplier` filters of
/// its own, giving output channels `c · depthMultiplier … c · depthMultiplier + depthMultiplier − 1`
/// (TFLite's DEPTHWISE_CONV_2D; PyTorch's Conv2d with `groups = C`). Padding reads the input zero
/// point.
///
/// - On NHWC input: weights 1HWC `[1, kH, kW, C · depthMultiplier]` (TFLite's layout).
/// - On NCHW input: weights OIHW `[C · depthMultiplier, 1, kH, kW]` (PyTorch's layout).
public struct DepthwiseConv2d: OpSpec {
    public var name: String
    /// The tensor it reads; nil reads the previous node's output.
    public var input: String?
    public var kernel: Size2
    public var depthMultiplier: Int
    public var stride: Size2
    public var padding: Padding
    public var dilation: Size2
    /// nil: 1HWC on NHWC input, OIHW on NCHW input.
    public var weightLayout: WeightLayout?
    public var weight: Weights
    public var bias: Bias?
    /// A BatchNorm folded into the float weights and bias before quantization (PyTorch's `fuse_modules`).
    public var batchNorm: BatchNorm?
    public var output: QuantParams
    public var activation: Activation
    public var location: SourceLocation

    public init(
        _ name: String, input: String? = nil, kernel: some Size2Convertible, depthMultiplier: Int = 1, stride: some Size2Convertible = 1,
        padding: some PaddingConvertible = 0, dilation: some Size2Convertible = 1, weightLayout: WeightLayout? = nil,
        weight: Weights, bias: Bias? = nil, batchNorm: BatchNorm? = nil, output: QuantParams, activation: Activation = .none, file: String = #filePath, line: Int = #line
    ) {
        self.name = name
        self.input = input
        self.kernel = kernel.size2
        self.depthMultiplier = depthMultiplier
        self.stride = stride.size2
        self.padding = padding.padding
        self.dilation = dilation.size2
        self.weightLayout = weightLayout
        self.weight = weight
        self.bias = bias
        self.batchNorm = batchNorm
        self.output = output
        self.activation = activation
        self.location = SourceLocation(file: file, line: line)
    }

    public var inputs: [String] { input.map { [$0] } ?? [] }
    public var layerSpec: LayerSpec { .depthwiseConv2d(self) }
}
