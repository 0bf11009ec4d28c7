/// The order of a 4-D activation tensor's axes in memory (and in the shape the user writes).
///
/// - `nchw`: `[batch, channels, height, width]`, PyTorch's layout and the DSL's default.
/// - `nhwc`: `[batch, height, width, channels]`, TFLite's layout (channels innermost).
///
/// Tensors of other ranks (`[N, features]`) have no layout; they are C order.
public enum Layout: String, Codable, Equatable, Hashable, Sendable {
    case nchw
    case nhwc
}

/// The order of a weight tensor's axes, as given in model.swift or a model file.
public enum WeightLayout: String, Codable, Equatable, Hashable, Sendable {
    /// `[out, in / groups, kH, kW]`: PyTorch's Conv2d.
    case oihw
    /// `[out, kH, kW, in / groups]`: TFLite's CONV_2D.
    case ohwi
    /// `[1, kH, kW, channels · multiplier]`: TFLite's DEPTHWISE_CONV_2D.
    case oneHWC = "1hwc"
}
