// Exported by qgen-export from a converted PyTorch model (Conv1dNet).
// torch 2.15.0+cu132, quantized engine 'fbgemm', ATen CPU capability x86_64 AVX2: scheme fbgemm.
// The C takes and returns quantized codes (the QuantStub's and each output's scale and zero point below).
import QGen

Model("conv1d_net_fbgemm") {
    Input("quant", shape: [1, 4, 64], layout: .nchw, .uint8(scale: 0.06285757571458817, zeroPoint: 67))
    Reshape("conv1_2d", input: "quant", shape: [1, 4, 1, 64], layout: .nchw)
    Conv2d("conv1_conv", input: "conv1_2d", outChannels: 8, kernel: Size2(1, 5), stride: Size2(1, 1), padding: [0, 2], dilation: Size2(1, 1), groups: 1, weight: .int8(.npy("conv1_conv_w.npy"), scales: [0.0016754615353420377, 0.0016425126232206821, 0.0017434809124097228, 0.0016839596210047603, 0.001749434624798596, 0.0016706378664821386, 0.0016823019832372665, 0.0016913918079808354], zeroPoints: [0, 0, 0, 0, 0, 0, 0, 0]), bias: .float(.npy("conv1_conv_b.npy")), output: .uint8(scale: 0.01803711988031864, zeroPoint: 0), activation: .relu)
    Reshape("conv1", input: "conv1_conv", shape: [1, 8, 64])
    Reshape("dw_2d", input: "conv1", shape: [1, 8, 1, 64], layout: .nchw)
    Conv2d("dw_conv", input: "dw_2d", outChannels: 8, kernel: Size2(1, 3), stride: Size2(1, 2), padding: [0, 1], dilation: Size2(1, 1), groups: 8, weight: .int8(.npy("dw_conv_w.npy"), scales: [0.004075678065419197, 0.004089012276381254, 0.004086557310074568, 0.0036592469550669193, 0.003233671421185136, 0.00217584241181612, 0.0037316360976547003, 0.0035953212063759565], zeroPoints: [0, 0, 0, 0, 0, 0, 0, 0]), bias: .float(.npy("dw_conv_b.npy")), output: .uint8(scale: 0.02310105785727501, zeroPoint: 58))
    Reshape("dw", input: "dw_conv", shape: [1, 8, 32])
    Reshape("pw_2d", input: "dw", shape: [1, 8, 1, 32], layout: .nchw)
    Conv2d("pw_conv", input: "pw_2d", outChannels: 6, kernel: Size2(1, 1), stride: Size2(1, 1), padding: [0, 0], dilation: Size2(1, 1), groups: 1, weight: .int8(.npy("pw_conv_w.npy"), scales: [0.0023389668203890324, 0.0010027260286733508, 0.0027431270573288202, 0.0024030813947319984, 0.002483727177605033, 0.002681715413928032], zeroPoints: [0, 0, 0, 0, 0, 0]), bias: .float(.npy("pw_conv_b.npy")), output: .uint8(scale: 0.018499288707971573, zeroPoint: 62))
    Reshape("pw", input: "pw_conv", shape: [1, 6, 32])
    Flatten("flatten", input: "pw", startDim: 1)
    Linear("fc", input: "flatten", outFeatures: 5, weight: .int8(.npy("fc_w.npy"), scales: [0.0005658464506268501, 0.0005650618113577366, 0.0005650903331115842, 0.0005659394664689898, 0.0005638108123093843], zeroPoints: [0, 0, 0, 0, 0]), bias: .float(.npy("fc_b.npy")), output: .uint8(scale: 0.006066142115741968, zeroPoint: 77))
}
.requantization(Requantization(name: "fbgemm"))
