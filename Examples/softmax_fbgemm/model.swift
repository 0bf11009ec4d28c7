// PyTorch's quantized softmax on ATen's float path (fbgemm): dequantize, SLEEF's expf, the sum in
// ATen's 8-lane order, 1/sum, quantize; binary32 emulated with integers, so that `make check-c` and
// `make check-targets` build it everywhere. Rows of 10 (the lanes' tree) and 5 (shorter than the
// lanes: summed in order), with an eager-mode observer's output scale 1/255.
import QGen

Model("softmax_fbgemm") {
    Input("logits", shape: [4, 10], .int8(scale: 0.1, zeroPoint: 3))
    Softmax("classes", output: .int8(scale: 1.0 / 255, zeroPoint: -128))
    Reshape("pairs", shape: [8, 5])
    Softmax("halves", output: .int8(scale: 1.0 / 255, zeroPoint: -128))
}
.requantization(.fbgemm)
