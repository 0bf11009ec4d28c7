// Exported by qgen-export from a converted PyTorch model (SmallCNN).
// torch 2.15.0+cu132, quantized engine 'fbgemm', ATen CPU capability x86_64 AVX2: scheme fbgemm.
// The C takes and returns quantized codes (the QuantStub's and each output's scale and zero point below).
import QGen

Model("small_cnn_fbgemm") {
    Input("quant", shape: [1, 3, 32, 32], layout: .nchw, .uint8(scale: 0.06739562004804611, zeroPoint: 66))
    Conv2d("conv1", input: "quant", outChannels: 16, kernel: Size2(3, 3), stride: Size2(1, 1), padding: [1, 1], dilation: Size2(1, 1), groups: 1, weight: .int8(.npy("conv1_w.npy"), scales: .npy("conv1_scales.npy")), bias: .float(.npy("conv1_b.npy")), output: .uint8(scale: 0.018502337858080864, zeroPoint: 0), activation: .relu)
    MaxPool2d("pool", input: "conv1", kernel: Size2(2, 2), stride: Size2(2, 2), padding: [0, 0])
    Conv2d("conv2", input: "pool", outChannels: 16, kernel: Size2(3, 3), stride: Size2(1, 1), padding: [1, 1], dilation: Size2(1, 1), groups: 1, weight: .int8(.npy("conv2_w.npy"), scales: .npy("conv2_scales.npy")), bias: .float(.npy("conv2_b.npy")), output: .uint8(scale: 0.008056962862610817, zeroPoint: 0), activation: .relu)
    Conv2d("dw", input: "conv2", outChannels: 16, kernel: Size2(3, 3), stride: Size2(1, 1), padding: [1, 1], dilation: Size2(1, 1), groups: 16, weight: .int8(.npy("dw_w.npy"), scales: .npy("dw_scales.npy")), bias: .float(.npy("dw_b.npy")), output: .uint8(scale: 0.009348876774311066, zeroPoint: 62))
    Add("add_relu", "pool", "dw", output: .uint8(scale: 0.020245829597115517, zeroPoint: 0), activation: .relu, memoryFormats: [.channelsLast, .channelsLast])
    Mean("gap", input: "add_relu", axes: [2, 3], keepDims: true, output: .uint8(scale: 0.020245829597115517, zeroPoint: 0))
    Flatten("flatten", input: "gap", startDim: 1)
    Linear("fc", input: "flatten", outFeatures: 10, weight: .int8(.npy("fc_w.npy"), scales: .npy("fc_scales.npy")), bias: .float(.npy("fc_b.npy")), output: .uint8(scale: 0.009406324476003647, zeroPoint: 56))
}
.requantization(Requantization(name: "fbgemm"))
