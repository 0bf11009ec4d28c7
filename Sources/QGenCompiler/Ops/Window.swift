import QGen

/// The geometry of a sliding window (convolution, pooling) along one spatial axis.
struct WindowAxis {
    var output: Int
    /// Rows (columns) of padding before the first input row: output `o` reads input
    /// `o · stride − padBefore + k · dilation`.
    var padBefore: Int

    /// The output size and leading padding, or nil when the window does not fit the padded input.
    /// `padding` is this axis's explicit padding, or nil for SAME.
    ///
    /// SAME is TFLite's `ComputePaddingWithOffset`: `out = ceil(input / stride)`, total padding
    /// `max((out − 1)·stride + extent − input, 0)`, of which `total / 2` (rounded down) comes first.
    init?(input: Int, kernel: Int, stride: Int, dilation: Int, padding: Int?) {
        let extent = dilation * (kernel - 1) + 1
        if let p = padding {
            let padded = input + 2 * p
            guard extent <= padded else { return nil }
            output = (padded - extent) / stride + 1
            padBefore = p
        } else {
            output = (input + stride - 1) / stride
            padBefore = max((output - 1) * stride + extent - input, 0) / 2
        }
    }
}

extension WindowAxis {
    /// PyTorch's `ceil_mode=True` (pooling_output_shape): `ceil((input + 2p − kernel) / stride) + 1`
    /// outputs, one fewer if the last window would start at or past the input and its leading
    /// padding. Explicit padding only.
    mutating func roundUp(input: Int, kernel: Int, stride: Int) {
        let span = input + 2 * padBefore - kernel
        var count = (span + stride - 1) / stride + 1
        if (count - 1) * stride >= input + padBefore { count -= 1 }
        output = count
    }
}

extension Padding {
    /// The explicit padding per axis (nil for SAME).
    var explicitSize: Size2? { size }
}
