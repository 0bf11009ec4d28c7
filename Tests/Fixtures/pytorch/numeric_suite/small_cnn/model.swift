// Exported by qgen-export from a converted PyTorch model (SmallCNN).
// torch 2.15.0+cu132, quantized engine 'fbgemm', ATen CPU capability x86_64 AVX2: scheme fbgemm.
// The C takes and returns quantized codes (the QuantStub's and each output's scale and zero point below).
import QGen

Model("small_cnn_numeric_suite") {
    Input("quant", shape: [1, 3, 16, 16], layout: .nchw, .uint8(scale: 0.06285757571458817, zeroPoint: 67))
    Conv2d("conv1", input: "quant", outChannels: 16, kernel: Size2(3, 3), stride: Size2(1, 1), padding: [1, 1], dilation: Size2(1, 1), groups: 1, weight: .float(.npy("conv1_w.npy"), .perChannel(.symmetric)), bias: .float(.npy("conv1_b.npy")), output: .uint8(scale: 0.017212780192494392, zeroPoint: 0), activation: .relu)
    MaxPool2d("pool", input: "conv1", kernel: Size2(2, 2), stride: Size2(2, 2), padding: [0, 0])
    Conv2d("conv2", input: "pool", outChannels: 16, kernel: Size2(3, 3), stride: Size2(1, 1), padding: [1, 1], dilation: Size2(1, 1), groups: 1, weight: .float(.npy("conv2_w.npy"), .perChannel(.symmetric)), bias: .float(.npy("conv2_b.npy")), output: .uint8(scale: 0.0073923650197684765, zeroPoint: 0), activation: .relu)
    Conv2d("dw", input: "conv2", outChannels: 16, kernel: Size2(3, 3), stride: Size2(1, 1), padding: [1, 1], dilation: Size2(1, 1), groups: 16, weight: .float(.npy("dw_w.npy"), .perChannel(.symmetric)), bias: .float(.npy("dw_b.npy")), output: .uint8(scale: 0.00912389624863863, zeroPoint: 66))
    Add("add_relu", "pool", "dw", output: .uint8(scale: 0.019991718232631683, zeroPoint: 0), activation: .relu, memoryFormats: [.channelsLast, .channelsLast])
    Mean("gap", input: "add_relu", axes: [2, 3], keepDims: true, output: .uint8(scale: 0.019991718232631683, zeroPoint: 0))
    Flatten("flatten", input: "gap", startDim: 1)
    Linear("fc", input: "flatten", outFeatures: 10, weight: .float(.npy("fc_w.npy"), .perChannel(.symmetric)), bias: .float(.npy("fc_b.npy")), output: .uint8(scale: 0.009664488956332207, zeroPoint: 57))
}
.requantization(Requantization(name: "fbgemm"))
