/// A BatchNorm that follows a Conv2d, DepthwiseConv2d or Linear, folded into that layer's float
/// weights and bias before quantization, as PyTorch's `fuse_modules` folds an eval-mode
/// `BatchNorm2d`/`BatchNorm1d` (`torch.nn.utils.fuse_conv_bn_weights`, `fuse_linear_bn_weights`),
/// each step in float32:
///
///     r = 1 / sqrt(var + eps)
///     convolution: w' = w · (γ · r),   b' = ((b − mean) · r) · γ + β
///     Linear:      s = γ · r,  w' = w · s,   b' = (b − mean) · s + β
///
/// with `b` = 0 when the layer has no bias, γ = 1 and β = 0 when not given. One value per output
/// channel in each vector. The layer's weights must be float (`.float(…)`) and its bias float or
/// absent.
public struct BatchNorm: Codable, Equatable, Sendable {
    /// `running_mean`.
    public var mean: TensorData
    /// `running_var`.
    public var variance: TensorData
    /// γ (`weight`); nil means 1.
    public var weight: TensorData?
    /// β (`bias`); nil means 0.
    public var bias: TensorData?
    public var eps: Double

    public init(mean: TensorData, variance: TensorData, weight: TensorData? = nil, bias: TensorData? = nil, eps: Double = 1e-5) {
        self.mean = mean
        self.variance = variance
        self.weight = weight
        self.bias = bias
        self.eps = eps
    }
}
