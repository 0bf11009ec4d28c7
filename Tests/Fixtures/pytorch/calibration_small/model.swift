// Made by Tools/engines/make_fixtures.py calibration (PyTorch 2.15.0+cu132); qgen calibrates it on data.npy.
import QGen

Model("calibration_small") {
    Input("x", shape: [1, 1, 8, 8], .calibrated(.minMax(.uint8)))
    Conv2d("conv", outChannels: 4, kernel: 3, padding: 1, weight: .float(.npy("conv_w.npy")), bias: .float(.npy("conv_b.npy")),
           output: .calibrated(.minMax(.uint8)), activation: .relu)
    Flatten("flat")
    Linear("fc", outFeatures: 10, weight: .float(.npy("fc_w.npy")), bias: .float(.npy("fc_b.npy")),
           output: .calibrated(.minMax(.uint8)))
}
.requantization(.fbgemm)
