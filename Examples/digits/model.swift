// The demo CNN (make demo): trained on scikit-learn's 8x8 handwritten digits by Tools/train_digits.py,
// whose float weights are the .npy files here. The activation scales come from calibration on
// calibration.npy (200 training images) with PyTorch's observers; qgen calibrates on every command,
// or `qgen calibrate model.swift -o calibrated.swift` writes them out to review.
import QGen

Model("digits") {
    Input("image", shape: [1, 1, 8, 8], .calibrated(.minMax(.uint8)))
    Conv2d("conv1", outChannels: 8, kernel: 3, padding: 1,
           weight: .float(.npy("conv1_w.npy")), bias: .float(.npy("conv1_b.npy")),
           output: .calibrated(.histogram(.uint8)), activation: .relu)
    Conv2d("conv2", outChannels: 16, kernel: 3, stride: 2, padding: 1,
           weight: .float(.npy("conv2_w.npy")), bias: .float(.npy("conv2_b.npy")),
           output: .calibrated(.histogram(.uint8)), activation: .relu)
    Flatten("flat")
    Linear("fc", outFeatures: 10, weight: .float(.npy("fc_w.npy")), bias: .float(.npy("fc_b.npy")),
           output: .calibrated(.histogram(.uint8)))
}
.requantization(.fbgemm)
.calibrationData("calibration.npy")
