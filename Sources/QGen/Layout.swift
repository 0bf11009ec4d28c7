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
