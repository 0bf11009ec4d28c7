// ShuffleNetV2's data movement and PyTorch's quantized means under the fbgemm engine: a channel
// split (x.chunk(2, dim=1)), a concatenation, the channel shuffle (view to 5-D, transpose(1, 2),
// view back), every other column (x[..., ::2]), and torch.mean over H and W in each of ATen's
// kernels: the integer mean of the codes (a contiguous tensor), the float path of a channels-last
// tensor (a convolution's output under fbgemm) and of a strided view, each in ATen's summation order.
import QGen

Model("shuffle_pytorch") {
    Input("x", shape: [1, 40, 7, 7], .uint8(scale: 0.05, zeroPoint: 7))
    Slice("x1", input: "x", axis: 1, start: 0, end: 20)
    Slice("x2", input: "x", axis: 1, start: 20, end: 40)
    Concatenation("swapped", ["x2", "x1"], axis: 1)
    Reshape("groups", input: "swapped", shape: [1, 2, 20, 7, 7])
    Transpose("shuffle", input: "groups", permutation: [0, 2, 1, 3, 4])
    Reshape("shuffled", input: "shuffle", shape: [1, 40, 7, 7])
    Mean("mean_codes", input: "shuffled", axes: [2, 3], keepDims: false, output: .uint8(scale: 0.05, zeroPoint: 7), atenOp: .mean)
    Mean("mean_channels_last", input: "x", axes: [2, 3], keepDims: false, output: .uint8(scale: 0.05, zeroPoint: 7), atenOp: .mean,
         memoryFormats: [.channelsLast])
    Slice("columns", input: "x", axis: 3, start: 0, end: 7, step: 2)
    Mean("mean_strided", input: "columns", axes: [2, 3], keepDims: false, output: .uint8(scale: 0.05, zeroPoint: 7), atenOp: .mean,
         memoryFormats: [.strided])
    // One output (the firmware harness runs one): the three means side by side.
    Concatenation("means", ["mean_codes", "mean_channels_last", "mean_strided"], axis: 1)
}
.requantization(.fbgemm)
