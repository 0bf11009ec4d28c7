import QGen

// Every elementwise and table op of TFLite's int8 set in one NHWC graph, so that `make check-targets`
// builds and runs each on gcc, clang, tcc and the Cortex-M cores: Pad, a 3×3 convolution, ReLU,
// LeakyReLU, HardSwish, Logistic, Tanh and ReLU6 (tables made at lowering), Mul, Sub and Add of
// branches, Quantize, max pooling, a global mean, a classifier, and
// TFLite's int8 → int16 Softmax as the model output.
let wConv = (0..<108).map { Double(($0 * 29) % 13 - 6) / 30 }
let wFc = (0..<40).map { Double(($0 * 7) % 9 - 4) / 10 }

Model("op_zoo") {
    Input("x", shape: [1, 6, 6, 3], layout: .nhwc, .int8(scale: 0.04, zeroPoint: 5))
    Pad("pad", padding: [[0, 0], [1, 1], [1, 1], [0, 0]])
    Conv2d("conv", outChannels: 4, kernel: 3, weightLayout: .ohwi, weight: .float(.values(wConv)), bias: .float([0.1, -0.1, 0.2, 0]),
           output: .int8(scale: 0.05, zeroPoint: -2))
    ReLU("relu", output: .int8(scale: 0.03, zeroPoint: -128))
    LeakyReLU("leaky", input: "conv", alpha: 0.2, output: .int8(scale: 0.04, zeroPoint: -40))
    HardSwish("swish", output: .int8(scale: 0.03, zeroPoint: -100))
    Logistic("gate", input: "leaky")
    Tanh("squash", input: "conv")
    ReLU6("clip", input: "squash")
    Mul("mix", "swish", "gate", output: .int8(scale: 0.02, zeroPoint: -110))
    Sub("diff", "mix", "relu", output: .int8(scale: 0.04, zeroPoint: 0))
    Add("sum", "diff", "clip", output: .int8(scale: 0.05, zeroPoint: -20))
    Quantize("requant", output: .int8(scale: 0.06, zeroPoint: 3))
    MaxPool2d("pool", kernel: 2)
    Mean("gap", axes: [1, 2], keepDims: false, output: .int8(scale: 0.04, zeroPoint: 0))
    Linear("fc", outFeatures: 10, weight: .float(.values(wFc)), output: .int8(scale: 0.1, zeroPoint: 0))
    Softmax("prob", output: .int16(scale: 1.0 / 65536, zeroPoint: -32768))
}
.requantization(.tflite)
