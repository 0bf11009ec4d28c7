// Exported by qgen-export from a converted PyTorch model (BranchyCNN).
// torch 2.15.0+cu132, quantized engine 'fbgemm', ATen CPU capability x86_64 AVX2: scheme fbgemm.
// The C takes and returns quantized codes (the QuantStub's and each output's scale and zero point below).
import QGen

Model("branchy_cnn_fbgemm") {
    Input("quant", shape: [1, 3, 14, 14], layout: .nchw, .uint8(scale: 0.062489088624715805, zeroPoint: 67))
    Conv2d("e", input: "quant", outChannels: 3, kernel: Size2(1, 1), stride: Size2(1, 1), padding: [0, 0], dilation: Size2(1, 1), groups: 1, weight: .int8(.npy("e_w.npy"), scales: [0.003726943861693144, 0.0033325066324323416, 0.003590391715988517], zeroPoints: [0, 0, 0]), bias: .float(.npy("e_b.npy")), output: .uint8(scale: 0.032778460532426834, zeroPoint: 60))
    Add("add", "quant", "e", output: .uint8(scale: 0.07271189242601395, zeroPoint: 73), memoryFormats: [.contiguous, .channelsLast])
    Conv2d("a", input: "quant", outChannels: 8, kernel: Size2(1, 1), stride: Size2(1, 1), padding: [0, 0], dilation: Size2(1, 1), groups: 1, weight: .int8(.npy("a_w.npy"), scales: [0.0043260445818305016, 0.0027170456014573574, 0.003069878090173006, 0.003760193707421422, 0.004100210964679718, 0.004200711380690336, 0.003912400919944048, 0.004240970592945814], zeroPoints: [0, 0, 0, 0, 0, 0, 0, 0]), bias: .float(.npy("a_b.npy")), output: .uint8(scale: 0.019564876332879066, zeroPoint: 0), activation: .relu)
    Conv2d("b", input: "add", outChannels: 12, kernel: Size2(3, 3), stride: Size2(1, 1), padding: [1, 1], dilation: Size2(1, 1), groups: 1, weight: .int8(.npy("b_w.npy"), scales: .npy("b_scales.npy")), bias: .float(.npy("b_b.npy")), output: .uint8(scale: 0.03900569677352905, zeroPoint: 64))
    Concatenation("cat", ["a", "b"], axis: 1, output: .uint8(scale: 0.03958047181367874, zeroPoint: 59), memoryFormats: [.channelsLast, .channelsLast])
    Concatenation("cat_1", ["quant", "a"], axis: 1, output: .uint8(scale: 0.06285757571458817, zeroPoint: 67), memoryFormats: [.contiguous, .channelsLast])
    Conv2d("g", input: "cat_1", outChannels: 20, kernel: Size2(1, 1), stride: Size2(1, 1), padding: [0, 0], dilation: Size2(1, 1), groups: 1, weight: .int8(.npy("g_w.npy"), scales: .npy("g_scales.npy")), bias: .float(.npy("g_b.npy")), output: .uint8(scale: 0.032673243433237076, zeroPoint: 69))
    Mul("mul", "cat", "g", output: .uint8(scale: 0.0391053780913353, zeroPoint: 49))
    MaxPool2d("pool", input: "mul", kernel: Size2(2, 2), stride: Size2(2, 2), padding: [0, 0])
    Conv2d("c", input: "pool", outChannels: 20, kernel: Size2(3, 3), stride: Size2(1, 1), padding: [1, 1], dilation: Size2(1, 1), groups: 1, weight: .int8(.npy("c_w.npy"), scales: .npy("c_scales.npy")), bias: .float(.npy("c_b.npy")), output: .uint8(scale: 0.01194057147949934, zeroPoint: 63))
    Add("add_1", "pool", "c", output: .uint8(scale: 0.034879762679338455, zeroPoint: 21), memoryFormats: [.channelsLast, .channelsLast])
    Mean("gap", input: "add_1", axes: [2, 3], keepDims: true, output: .uint8(scale: 0.034879762679338455, zeroPoint: 21))
    Flatten("flatten", input: "gap", startDim: 1)
    Linear("fc", input: "flatten", outFeatures: 10, weight: .int8(.npy("fc_w.npy"), scales: .npy("fc_scales.npy")), bias: .float(.npy("fc_b.npy")), output: .uint8(scale: 0.00591404689475894, zeroPoint: 66))
}
.requantization(Requantization(name: "fbgemm"))
