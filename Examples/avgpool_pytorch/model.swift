// PyTorch's quantized avg_pool2d under the fbgemm engine, each of ATen's kernels: a contiguous
// input (avg_pool2d_out_frame: the zero point added in float before rounding) with ceil_mode and
// count_include_pad, a channels-last input (qavg_pool2d_nhwc) with a divisor override, and windows
// whose divisors differ by row and column (count_include_pad false, padding), read from tables.
import QGen

Model("avgpool_pytorch") {
    Input("x", shape: [1, 12, 9, 9], .uint8(scale: 0.05, zeroPoint: 7))
    AvgPool2d("pool_contiguous", kernel: 3, stride: 2, padding: 1, ceilMode: true, countIncludePad: true)
    AvgPool2d("pool_channels_last", kernel: 2, stride: 1, padding: 1, divisor: 3, memoryFormats: [.channelsLast])
    AvgPool2d("pool_edges", kernel: Size2(3, 2), stride: 1, padding: 1, memoryFormats: [.channelsLast])
}
.requantization(.fbgemm)
