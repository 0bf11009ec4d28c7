// Imported by qgen from small_cnn_onnx.onnx; `qgen emit` gives the same C as the .onnx.
import QGen

Model("small_cnn_onnx", file: "small_cnn_onnx.onnx", line: 0) {
    Input("x", shape: [1, 3, 32, 32], layout: .nchw, .uint8(scale: 0.030532851815223694, zeroPoint: 128), file: "small_cnn_onnx.onnx", line: 0)
    Conv2d("conv_10", input: "x", outChannels: 16, kernel: Size2(3, 3), stride: Size2(1, 1), padding: Padding(Size2(1, 1)), dilation: Size2(1, 1), groups: 1, weightLayout: .oihw,
           weight: .int8(.npy("conv_10_w.npy"), scales: [0.00151328113861382], zeroPoints: [0]), bias: .int32(.npy("conv_10_b.npy")),
           output: .uint8(scale: 0.010102719068527222, zeroPoint: 0), activation: .none, file: "small_cnn_onnx.onnx", line: 10)
    MaxPool2d("maxpool_13", input: "conv_10", kernel: Size2(2, 2), stride: Size2(2, 2), padding: Padding(Size2(0, 0)), activation: .none, file: "small_cnn_onnx.onnx", line: 13)
    Conv2d("conv_16", input: "maxpool_13", outChannels: 16, kernel: Size2(3, 3), stride: Size2(1, 1), padding: Padding(Size2(1, 1)), dilation: Size2(1, 1), groups: 1, weightLayout: .oihw,
           weight: .int8(.npy("conv_16_w.npy"), scales: [0.0006561153568327427], zeroPoints: [0]), bias: .int32(.npy("conv_16_b.npy")),
           output: .uint8(scale: 0.004948764573782682, zeroPoint: 0), activation: .none, file: "small_cnn_onnx.onnx", line: 16)
    Conv2d("conv_19", input: "conv_16", outChannels: 16, kernel: Size2(3, 3), stride: Size2(1, 1), padding: Padding(Size2(1, 1)), dilation: Size2(1, 1), groups: 16, weightLayout: .oihw,
           weight: .int8(.npy("conv_19_w.npy"), scales: [0.002612135373055935], zeroPoints: [0]), bias: .int32(.npy("conv_19_b.npy")),
           output: .uint8(scale: 0.006543938536196947, zeroPoint: 105), activation: .none, file: "small_cnn_onnx.onnx", line: 19)
    Add("add_22", "maxpool_13", "conv_19", output: .uint8(scale: 0.011340830475091934, zeroPoint: 0), activation: .none, file: "small_cnn_onnx.onnx", line: 22)
    Mean("gap_25", input: "add_22", axes: [2, 3], keepDims: true, output: .uint8(scale: 0.004424544051289558, zeroPoint: 0), file: "small_cnn_onnx.onnx", line: 25)
    Reshape("reshape_28", input: "gap_25", shape: [1, 16], file: "small_cnn_onnx.onnx", line: 28)
    Linear("fc_31", input: "reshape_28", outFeatures: 10,
           weight: .int8(.npy("fc_31_w.npy"), scales: [0.0019421115284785628], zeroPoints: [0]), bias: .int32(.npy("fc_31_b.npy")),
           output: .uint8(scale: 0.005284533370286226, zeroPoint: 180), activation: .none, file: "small_cnn_onnx.onnx", line: 31)
}
.requantization(Requantization(name: "onnxRuntime"))
