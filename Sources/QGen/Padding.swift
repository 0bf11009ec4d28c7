/// How a convolution or pooling window is padded.
///
/// - An integer or `[height, width]` (or a `Size2`): the same number of rows (columns) above and
///   below (left and right), PyTorch's `padding=`.
/// - `.same`: TensorFlow's and TFLite's `SAME`: the output has `ceil(input / stride)` rows and
///   columns; the total padding `max((out − 1)·stride + extent − input, 0)` is split with the
///   smaller half before (top, left) and the larger after, so it can be asymmetric.
/// - `.valid` (= 0): no padding.
///
/// Padding taps read the input zero point (real 0) in convolutions.
public struct Padding: Codable, Equatable, Sendable, PaddingConvertible {
    /// The explicit padding per axis; nil means SAME.
    public var size: Size2?

    public init(_ size: Size2?) { self.size = size }

    public var padding: Padding { self }
}

/// What `padding:` takes: an `Int`, `[height, width]`, a `Size2`, `.same` or `.valid`.
public protocol PaddingConvertible {
    var padding: Padding { get }
}

extension PaddingConvertible where Self == Padding {
    /// TensorFlow's SAME: `padding: .same`.
    public static var same: Padding { Padding(nil) }
    /// No padding: `padding: .valid`.
    public static var valid: Padding { Padding(Size2(0, 0)) }
}

extension Int: PaddingConvertible {
    public var padding: Padding { Padding(size2) }
}

extension Array: PaddingConvertible where Element == Int {
    public var padding: Padding { Padding(size2) }
}

extension Size2: PaddingConvertible {
    public var padding: Padding { Padding(self) }
}
