import QGen

// A ResNet-style residual block on int8 NCHW activations: two 3×3 convolutions whose result is
// added to the block's input (a branch in the graph), then a classifier. Weights are real values
// quantized per channel at lowering; the arithmetic is TFLite Micro's (Conv2d, ADD, FULLY_CONNECTED).
let w1 = (0..<144).map { Double(($0 * 37) % 11 - 5) / 40 }
let w2 = (0..<144).map { Double(($0 * 53) % 13 - 6) / 50 }
let wfc = (0..<300).map { Double($0 % 17 - 8) / 100 }

Model("residual_block") {
    Input("x", shape: [1, 4, 5, 5], .int8(scale: 0.05, zeroPoint: -3))
    Conv2d("conv1", outChannels: 4, kernel: 3, padding: 1, weight: .float(.values(w1)), bias: .float([0.1, -0.2, 0.05, 0]),
           output: .int8(scale: 0.04, zeroPoint: -10), activation: .relu)
    Conv2d("conv2", outChannels: 4, kernel: 3, padding: 1, weight: .float(.values(w2)),
           output: .int8(scale: 0.07, zeroPoint: 4))
    Add("res", "conv2", "x", output: .int8(scale: 0.09, zeroPoint: -128), activation: .relu)
    Flatten("flat")
    Linear("fc", outFeatures: 3, weight: .float(.values(wfc)), output: .int8(scale: 0.2, zeroPoint: 0))
}
.requantization(.tflite)
