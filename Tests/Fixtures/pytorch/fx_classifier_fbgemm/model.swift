// Exported by qgen-export from a converted PyTorch model (GraphModule).
// torch 2.15.0+cu132, quantized engine 'fbgemm', ATen CPU capability x86_64 AVX2: scheme fbgemm.
// The C takes and returns quantized codes (the QuantStub's and each output's scale and zero point below).
import QGen

Model("fx_classifier_fbgemm") {
    Input("quantize_per_tensor", shape: [1, 3, 16, 16], layout: .nchw, .uint8(scale: 0.062489088624715805, zeroPoint: 67))
    Conv2d("conv1", input: "quantize_per_tensor", outChannels: 12, kernel: Size2(3, 3), stride: Size2(1, 1), padding: [1, 1], dilation: Size2(1, 1), groups: 1, weight: .int8(.npy("conv1_w.npy"), scales: .npy("conv1_scales.npy")), bias: .float(.npy("conv1_b.npy")), output: .uint8(scale: 0.01818198710680008, zeroPoint: 0), activation: .relu)
    Conv2d("conv2", input: "conv1", outChannels: 12, kernel: Size2(3, 3), stride: Size2(1, 1), padding: [1, 1], dilation: Size2(1, 1), groups: 1, weight: .int8(.npy("conv2_w.npy"), scales: .npy("conv2_scales.npy")), bias: .float(.npy("conv2_b.npy")), output: .uint8(scale: 0.017695093527436256, zeroPoint: 69))
    HardSwish("hs", input: "conv2", output: .uint8(scale: 0.00856392364948988, zeroPoint: 42), memoryFormats: [.channelsLast])
    Add("add_1", "conv1", "hs", output: .uint8(scale: 0.022627156227827072, zeroPoint: 16), memoryFormats: [.channelsLast, .channelsLast])
    Logistic("sigmoid", input: "add_1", output: .uint8(scale: 0.00390625, zeroPoint: 0), memoryFormats: [.channelsLast])
    Concatenation("cat", ["add_1", "sigmoid"], axis: 1, output: .uint8(scale: 0.022627156227827072, zeroPoint: 16), memoryFormats: [.channelsLast, .channelsLast])
    Mean("pool", input: "cat", axes: [2, 3], keepDims: true, output: .uint8(scale: 0.022627156227827072, zeroPoint: 16))
    Flatten("flatten", input: "pool", startDim: 1)
    Linear("fc", input: "flatten", outFeatures: 10, weight: .int8(.npy("fc_w.npy"), scales: .npy("fc_scales.npy")), bias: .float(.npy("fc_b.npy")), output: .uint8(scale: 0.009600323624908924, zeroPoint: 50))
    Softmax("softmax", input: "fc", output: .uint8(scale: 0.00390625, zeroPoint: 0))
}
.requantization(Requantization(name: "fbgemm"))
