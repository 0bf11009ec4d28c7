// Exported by qgen-export from a converted PyTorch model (GraphModule).
// torch 2.15.0+cu132, quantized engine 'fbgemm', ATen CPU capability x86_64 AVX2: scheme fbgemm.
// The C takes and returns quantized codes (the QuantStub's and each output's scale and zero point below).
import QGen

Model("fx_classifier_fbgemm") {
    Input("quantize_per_tensor", shape: [1, 3, 16, 16], layout: .nchw, .uint8(scale: 0.062489088624715805, zeroPoint: 67))
    Conv2d("conv1", input: "quantize_per_tensor", outChannels: 12, kernel: Size2(3, 3), stride: Size2(1, 1), padding: [1, 1], dilation: Size2(1, 1), groups: 1, weight: .int8(.npy("conv1_w.npy"), scales: [0.0014420077204704285, 0.0015005494933575392, 0.0014493217458948493, 0.0015056735137477517, 0.0014478949597105384, 0.001455718302167952, 0.0013629974564537406, 0.0012731659226119518, 0.001493161777034402, 0.0014960442204028368, 0.001427095616236329, 0.0012373914942145348], zeroPoints: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]), bias: .float(.npy("conv1_b.npy")), output: .uint8(scale: 0.01818198710680008, zeroPoint: 0), activation: .relu)
    Conv2d("conv2", input: "conv1", outChannels: 12, kernel: Size2(3, 3), stride: Size2(1, 1), padding: [1, 1], dilation: Size2(1, 1), groups: 1, weight: .int8(.npy("conv2_w.npy"), scales: [0.0007544619729742408, 0.0007534157484769821, 0.0007436761516146362, 0.0007370541570708156, 0.0007545859552919865, 0.0007537401979789138, 0.0007504373206757009, 0.0007517477497458458, 0.000750386156141758, 0.0007468454423360527, 0.0007540559745393693, 0.0007512635784223676], zeroPoints: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]), bias: .float(.npy("conv2_b.npy")), output: .uint8(scale: 0.017695093527436256, zeroPoint: 69))
    HardSwish("hs", input: "conv2", output: .uint8(scale: 0.00856392364948988, zeroPoint: 42), memoryFormats: [.channelsLast])
    Add("add_1", "conv1", "hs", output: .uint8(scale: 0.022627156227827072, zeroPoint: 16), memoryFormats: [.channelsLast, .channelsLast])
    Logistic("sigmoid", input: "add_1", output: .uint8(scale: 0.00390625, zeroPoint: 0), memoryFormats: [.channelsLast])
    Concatenation("cat", ["add_1", "sigmoid"], axis: 1, output: .uint8(scale: 0.022627156227827072, zeroPoint: 16), memoryFormats: [.channelsLast, .channelsLast])
    Mean("pool", input: "cat", axes: [2, 3], keepDims: true, output: .uint8(scale: 0.022627156227827072, zeroPoint: 16))
    Flatten("flatten", input: "pool", startDim: 1)
    Linear("fc", input: "flatten", outFeatures: 10, weight: .int8(.npy("fc_w.npy"), scales: [0.0015320255188271403, 0.0015352463815361261, 0.001590032479725778, 0.001426622737199068, 0.001489236718043685, 0.0015314803458750248, 0.0015390851767733693, 0.0015871056821197271, 0.0015661827055737376, 0.0015667608240619302], zeroPoints: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0]), bias: .float(.npy("fc_b.npy")), output: .uint8(scale: 0.009600323624908924, zeroPoint: 50))
    Softmax("softmax", input: "fc", output: .uint8(scale: 0.00390625, zeroPoint: 0))
}
.requantization(Requantization(name: "fbgemm"))
