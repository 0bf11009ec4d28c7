// Exported by qgen-export from a converted PyTorch model (SmallCNN).
// torch 2.15.0+cu132, quantized engine 'qnnpack', ATen CPU capability x86_64 AVX2: scheme qnnpack.
// The C takes and returns quantized codes (the QuantStub's and each output's scale and zero point below).
import QGen

Model("small_cnn_qnnpack") {
    Input("quant", shape: [1, 3, 32, 32], layout: .nchw, .uint8(scale: 0.03356566280126572, zeroPoint: 133))
    Conv2d("conv1", input: "quant", outChannels: 16, kernel: Size2(3, 3), stride: Size2(1, 1), padding: [1, 1], dilation: Size2(1, 1), groups: 1, weight: .int8(.npy("conv1_w.npy"), scales: [0.0015089163789525628], zeroPoints: [0]), bias: .float(.npy("conv1_b.npy")), output: .uint8(scale: 0.00921489018946886, zeroPoint: 0), activation: .relu)
    MaxPool2d("pool", input: "conv1", kernel: Size2(2, 2), stride: Size2(2, 2), padding: [0, 0])
    Conv2d("conv2", input: "pool", outChannels: 16, kernel: Size2(3, 3), stride: Size2(1, 1), padding: [1, 1], dilation: Size2(1, 1), groups: 1, weight: .int8(.npy("conv2_w.npy"), scales: [0.0006534905987791717], zeroPoints: [0]), bias: .float(.npy("conv2_b.npy")), output: .uint8(scale: 0.004012683406472206, zeroPoint: 0), activation: .relu)
    Conv2d("dw", input: "conv2", outChannels: 16, kernel: Size2(3, 3), stride: Size2(1, 1), padding: [1, 1], dilation: Size2(1, 1), groups: 16, weight: .int8(.npy("dw_w.npy"), scales: [0.0026134224608540535], zeroPoints: [0]), bias: .float(.npy("dw_b.npy")), output: .uint8(scale: 0.004656107164919376, zeroPoint: 124))
    Add("add_relu", "pool", "dw", output: .uint8(scale: 0.010083217173814774, zeroPoint: 0), activation: .relu, memoryFormats: [.channelsLast, .channelsLast])
    Mean("gap", input: "add_relu", axes: [2, 3], keepDims: true, output: .uint8(scale: 0.010083217173814774, zeroPoint: 0))
    Flatten("flatten", input: "gap", startDim: 1)
    Linear("fc", input: "flatten", outFeatures: 10, weight: .int8(.npy("fc_w.npy"), scales: [0.0019584877882152796], zeroPoints: [0]), bias: .float(.npy("fc_b.npy")), output: .uint8(scale: 0.0046847183257341385, zeroPoint: 113))
}
.requantization(Requantization(name: "qnnpack"))
