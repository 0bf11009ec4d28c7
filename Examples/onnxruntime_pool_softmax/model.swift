// ONNX Runtime's binary32 ops on int8: QLinearAveragePool (and a QDQ AveragePool, which ONNX Runtime
// fuses into it), with count_include_pad and ceil_mode, then the covered count, then QLinearSoftmax
// over the last axis (36 values: two blocks of 16 in MLAS's eight lanes and a tail of 4). Sums,
// products and divisions are emulated with integers.
import QGen

Model("onnxruntime_pool_softmax") {
    Input("x", shape: [1, 6, 9, 9], .int8(scale: 0.05, zeroPoint: -3))
    AvgPool2d("pool_include_pad", kernel: 3, stride: 2, padding: 1, ceilMode: true, countIncludePad: true, output: .int8(scale: 0.04, zeroPoint: 5))
    AvgPool2d("pool_covered", kernel: 2, stride: 1, padding: 1, output: .int8(scale: 0.03, zeroPoint: -2))
    Reshape("rows", shape: [6, 36])
    Softmax("softmax", output: .int8(scale: 1.0 / 256, zeroPoint: -128))
}
.requantization(.onnxRuntime)
