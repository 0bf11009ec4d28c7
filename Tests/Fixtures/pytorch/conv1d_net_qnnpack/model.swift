// Exported by qgen-export from a converted PyTorch model (Conv1dNet).
// torch 2.15.0+cu132, quantized engine 'qnnpack', ATen CPU capability x86_64 AVX2: scheme qnnpack.
// The C takes and returns quantized codes (the QuantStub's and each output's scale and zero point below).
import QGen

Model("conv1d_net_qnnpack") {
    Input("quant", shape: [1, 4, 64], layout: .nchw, .uint8(scale: 0.03130553662776947, zeroPoint: 134))
    Reshape("conv1_2d", input: "quant", shape: [1, 4, 1, 64], layout: .nchw)
    Conv2d("conv1_conv", input: "conv1_2d", outChannels: 8, kernel: Size2(1, 5), stride: Size2(1, 1), padding: [0, 2], dilation: Size2(1, 1), groups: 1, weight: .int8(.npy("conv1_conv_w.npy"), scales: [0.001749434624798596], zeroPoints: [0]), bias: .float(.npy("conv1_conv_b.npy")), output: .uint8(scale: 0.008983192965388298, zeroPoint: 0), activation: .relu)
    Reshape("conv1", input: "conv1_conv", shape: [1, 8, 64])
    Reshape("dw_2d", input: "conv1", shape: [1, 8, 1, 64], layout: .nchw)
    Conv2d("dw_conv", input: "dw_2d", outChannels: 8, kernel: Size2(1, 3), stride: Size2(1, 2), padding: [0, 1], dilation: Size2(1, 1), groups: 8, weight: .int8(.npy("dw_conv_w.npy"), scales: [0.004089012276381254], zeroPoints: [0]), bias: .float(.npy("dw_conv_b.npy")), output: .uint8(scale: 0.011505232192575932, zeroPoint: 116))
    Reshape("dw", input: "dw_conv", shape: [1, 8, 32])
    Reshape("pw_2d", input: "dw", shape: [1, 8, 1, 32], layout: .nchw)
    Conv2d("pw_conv", input: "pw_2d", outChannels: 6, kernel: Size2(1, 1), stride: Size2(1, 1), padding: [0, 0], dilation: Size2(1, 1), groups: 1, weight: .int8(.npy("pw_conv_w.npy"), scales: [0.0027431270573288202], zeroPoints: [0]), bias: .float(.npy("pw_conv_b.npy")), output: .uint8(scale: 0.009213371202349663, zeroPoint: 124))
    Reshape("pw", input: "pw_conv", shape: [1, 6, 32])
    Flatten("flatten", input: "pw", startDim: 1)
    Linear("fc", input: "flatten", outFeatures: 5, weight: .int8(.npy("fc_w.npy"), scales: [0.0005659394664689898], zeroPoints: [0]), bias: .float(.npy("fc_b.npy")), output: .uint8(scale: 0.0030211766716092825, zeroPoint: 154))
}
.requantization(Requantization(name: "qnnpack"))
