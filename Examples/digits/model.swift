// The demo CNN (make demo): trained on scikit-learn's 8x8 handwritten digits by Tools/train_digits.py,
// whose float weights are the .npy files here. The activation scales come from calibration on
// calibration.npy (200 training images) with PyTorch's x86/fbgemm default observer (HistogramObserver,
// reduce_range: 7-bit activations, so that FBGEMM's int16 pair sums cannot saturate on CPUs without
// VNNI); qgen calibrates on every command, or `qgen calibrate model.swift -o calibrated.swift` writes
// the scales out to review.
import QGen

Model("digits") {
    Input("image", shape: [1, 1, 8, 8], .calibrated(.histogram(.uint8, reduceRange: true)))
    Conv2d("conv1", outChannels: 8, kernel: 3, padding: 1,
           weight: .float(.npy("conv1_w.npy")), bias: .float(.npy("conv1_b.npy")),
           output: .calibrated(.histogram(.uint8, reduceRange: true)), activation: .relu)
    Conv2d("conv2", outChannels: 16, kernel: 3, stride: 2, padding: 1,
           weight: .float(.npy("conv2_w.npy")), bias: .float(.npy("conv2_b.npy")),
           output: .calibrated(.histogram(.uint8, reduceRange: true)), activation: .relu)
    Flatten("flat")
    Linear("fc", outFeatures: 10, weight: .float(.npy("fc_w.npy")), bias: .float(.npy("fc_b.npy")),
           output: .calibrated(.histogram(.uint8, reduceRange: true)))
}
.requantization(.fbgemm)
.calibrationData("calibration.npy")
