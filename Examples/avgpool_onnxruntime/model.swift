// ONNX Runtime's QLinearAveragePool (and a QDQ AveragePool, which ONNX Runtime fuses into it):
// binary32 throughout, a division by the window's count and one by the output scale included;
// count_include_pad with ceil_mode, then the covered count with padding.
import QGen

Model("avgpool_onnxruntime") {
    Input("x", shape: [1, 6, 9, 9], .int8(scale: 0.05, zeroPoint: -3))
    AvgPool2d("pool_include_pad", kernel: 3, stride: 2, padding: 1, ceilMode: true, countIncludePad: true, output: .int8(scale: 0.04, zeroPoint: 5))
    AvgPool2d("pool_covered", kernel: 2, stride: 1, padding: 1, output: .int8(scale: 0.03, zeroPoint: -2))
}
.requantization(.onnxRuntime)
