// Exported by qgen-export from a converted PyTorch model (BranchyCNN).
// torch 2.15.0+cu132, quantized engine 'qnnpack', ATen CPU capability x86_64 AVX2: scheme qnnpack.
// The C takes and returns quantized codes (the QuantStub's and each output's scale and zero point below).
import QGen

Model("branchy_cnn_qnnpack") {
    Input("quant", shape: [1, 3, 14, 14], layout: .nchw, .uint8(scale: 0.03112201765179634, zeroPoint: 134))
    Conv2d("e", input: "quant", outChannels: 3, kernel: Size2(1, 1), stride: Size2(1, 1), padding: [0, 0], dilation: Size2(1, 1), groups: 1, weight: .int8(.npy("e_w.npy"), scales: [0.003726943861693144], zeroPoints: [0]), bias: .float(.npy("e_b.npy")), output: .uint8(scale: 0.016324959695339203, zeroPoint: 121))
    Add("add", "quant", "e", output: .uint8(scale: 0.03621337190270424, zeroPoint: 147), memoryFormats: [.contiguous, .channelsLast])
    Conv2d("a", input: "quant", outChannels: 8, kernel: Size2(1, 1), stride: Size2(1, 1), padding: [0, 0], dilation: Size2(1, 1), groups: 1, weight: .int8(.npy("a_w.npy"), scales: [0.0043260445818305016], zeroPoints: [0]), bias: .float(.npy("a_b.npy")), output: .uint8(scale: 0.009744076058268547, zeroPoint: 0), activation: .relu)
    Conv2d("b", input: "add", outChannels: 12, kernel: Size2(3, 3), stride: Size2(1, 1), padding: [1, 1], dilation: Size2(1, 1), groups: 1, weight: .int8(.npy("b_w.npy"), scales: [0.0015088311629369855], zeroPoints: [0]), bias: .float(.npy("b_b.npy")), output: .uint8(scale: 0.019426366314291954, zeroPoint: 128))
    Concatenation("cat", ["a", "b"], axis: 1, output: .uint8(scale: 0.019712626934051514, zeroPoint: 119), memoryFormats: [.channelsLast, .channelsLast])
    Concatenation("cat_1", ["quant", "a"], axis: 1, output: .uint8(scale: 0.03130553662776947, zeroPoint: 134), memoryFormats: [.contiguous, .channelsLast])
    Conv2d("g", input: "cat_1", outChannels: 20, kernel: Size2(1, 1), stride: Size2(1, 1), padding: [0, 0], dilation: Size2(1, 1), groups: 1, weight: .int8(.npy("g_w.npy"), scales: [0.0023640296421945095], zeroPoints: [0]), bias: .float(.npy("g_b.npy")), output: .uint8(scale: 0.01627255603671074, zeroPoint: 139))
    Mul("mul", "cat", "g", output: .uint8(scale: 0.019476011395454407, zeroPoint: 98))
    MaxPool2d("pool", input: "mul", kernel: Size2(2, 2), stride: Size2(2, 2), padding: [0, 0])
    Conv2d("c", input: "pool", outChannels: 20, kernel: Size2(3, 3), stride: Size2(1, 1), padding: [1, 1], dilation: Size2(1, 1), groups: 1, weight: .int8(.npy("c_w.npy"), scales: [0.0005844997940585017], zeroPoints: [0]), bias: .float(.npy("c_b.npy")), output: .uint8(scale: 0.005946872755885124, zeroPoint: 126))
    Add("add_1", "pool", "c", output: .uint8(scale: 0.017371490597724915, zeroPoint: 43), memoryFormats: [.channelsLast, .channelsLast])
    Mean("gap", input: "add_1", axes: [2, 3], keepDims: true, output: .uint8(scale: 0.017371490597724915, zeroPoint: 43))
    Flatten("flatten", input: "gap", startDim: 1)
    Linear("fc", input: "flatten", outFeatures: 10, weight: .int8(.npy("fc_w.npy"), scales: [0.0017412337474524975], zeroPoints: [0]), bias: .float(.npy("fc_b.npy")), output: .uint8(scale: 0.002945427317172289, zeroPoint: 133))
}
.requantization(Requantization(name: "qnnpack"))
