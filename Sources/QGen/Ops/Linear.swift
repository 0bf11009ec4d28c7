/// A fully connected layer over the last axis, `y[…][o] = Σ_k x[…][k] · W[o][k] + b[o]`, as
/// PyTorch's `nn.Linear`: an input `[…, K]` gives `[…, outFeatures]`. Put a `Flatten` before it to
/// use a whole `[N, C, H, W]` image. Weights are `[outFeatures, K]` (PyTorch layout).
public struct Linear: OpSpec {
    public var name: String
    /// The tensor it reads; nil reads the previous node's output.
    public var input: String?
    public var outFeatures: Int
    public var weight: Weights
    public var bias: Bias?
    /// A BatchNorm folded into the float weights and bias before quantization (PyTorch's `fuse_modules`).
    public var batchNorm: BatchNorm?
    public var output: QuantParams
    public var activation: Activation
    public var location: SourceLocation

    public init(
        _ name: String, input: String? = nil, outFeatures: Int, weight: Weights, bias: Bias? = nil, batchNorm: BatchNorm? = nil,
        output: QuantParams, activation: Activation = .none, file: String = #filePath, line: Int = #line
    ) {
        self.name = name
        self.input = input
        self.outFeatures = outFeatures
        self.weight = weight
        self.bias = bias
        self.batchNorm = batchNorm
        self.output = output
        self.activation = activation
        self.location = SourceLocation(file: file, line: line)
    }

    public var inputs: [String] { input.map { [$0] } ?? [] }
    public var layerSpec: LayerSpec { .linear(self) }
}
