// PyTorch's quantized softmax under the qnnpack engine (uint8, output scale 1/256, zero point 0):
// QNNPACK's integer softargmax, a table of exponentials and a uint32 sum per row, so that
// `make check-c` and `make check-targets` build it everywhere.
import QGen

Model("softmax_qnnpack") {
    Input("logits", shape: [4, 10], .uint8(scale: 0.08, zeroPoint: 128))
    Softmax("probabilities")
}
.requantization(.qnnpack)
