/// How a convolution or pooling window is padded.
///
/// - `explicit(Size2)`: the same number of rows (columns) above and below (left and right),
///   PyTorch's `padding=`. An integer or `[height, width]` literal means this.
/// - `same`: TensorFlow's and TFLite's `SAME`: the output has `ceil(input / stride)` rows and
///   columns; the total padding `max((out − 1)·stride + extent − input, 0)` is split with the
///   smaller half before (top, left) and the larger after, so it can be asymmetric.
/// - `valid` (= `explicit(0)`): no padding.
///
/// Padding taps read the input zero point (real 0) in convolutions.
public enum Padding: Codable, Equatable, Sendable, PaddingConvertible {
    case explicit(Size2)
    case same

    public static let valid = Padding.explicit(Size2(0, 0))

    public var padding: Padding { self }
}

/// What `padding:` takes: an `Int`, `[height, width]`, a `Size2`, or `.same` / `.valid`.
public protocol PaddingConvertible {
    var padding: Padding { get }
}

extension Int: PaddingConvertible {
    public var padding: Padding { .explicit(size2) }
}

extension Array: PaddingConvertible where Element == Int {
    public var padding: Padding { .explicit(size2) }
}

extension Size2: PaddingConvertible {
    public var padding: Padding { .explicit(self) }
}
