/// How PyTorch holds a 4-D tensor in memory (`torch.contiguous_format` or `torch.channels_last`).
/// qgen's tensors stay NCHW either way; under the `fbgemm` and `qnnpack` schemes the format of an
/// op's inputs picks which of ATen's kernel paths PyTorch runs, and those paths round differently:
/// quantized convolutions leave channels-last tensors, a QuantStub a contiguous one. qgen-export
/// writes the formats it traced (`torch.Tensor.is_contiguous(memory_format=torch.channels_last)`);
/// other schemes ignore them.
public enum MemoryFormat: String, Codable, Equatable, Sendable {
    case contiguous
    case channelsLast
    /// A view that is neither (a slice or a transpose not followed by `.contiguous()`). Only `Mean`
    /// takes it: ATen's quantized mean of such a view dequantizes it to a contiguous float tensor
    /// and averages in float instead of averaging the codes.
    case strided
}
