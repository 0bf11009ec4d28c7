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

extension Padding {
    /// The explicit padding per axis (nil for SAME).
    var explicitSize: Size2? { size }
}
