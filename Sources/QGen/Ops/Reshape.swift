/// A new shape for the same elements in the same memory order, TFLite's RESHAPE: `Reshape(…)`,
/// `Flatten(…)` (PyTorch's `torch.flatten(x, startDim)`) and `Squeeze(…)`. It copies nothing: the
/// output is the input's memory under another shape (a copy only where a model input becomes a
/// model output). The quantization is the input's.
public struct Reshape: OpSpec {
    public enum Target: Codable, Equatable, Sendable {
        /// This shape; one dimension may be −1 (inferred).
        case shape([Int])
        /// Dimensions `startDim…` merged into one (negative counts from the end).
        case flatten(startDim: Int)
        /// The given size-1 axes removed (all size-1 axes when empty).
        case squeeze(axes: [Int])
    }

    public var name: String
    /// The tensor it reads; nil reads the previous node's output.
    public var input: String?
    public var target: Target
    /// The layout of a 4-D result; nil keeps the input's (NCHW when the input has none).
    public var layout: Layout?
    public var location: SourceLocation

    public init(_ name: String, input: String? = nil, shape: [Int], layout: Layout? = nil, file: String = #filePath, line: Int = #line) {
        self.init(name, input: input, target: .shape(shape), layout: layout, file: file, line: line)
    }

    public init(_ name: String, input: String? = nil, target: Target, layout: Layout? = nil, file: String = #filePath, line: Int = #line) {
        self.name = name
        self.input = input
        self.target = target
        self.layout = layout
        self.location = SourceLocation(file: file, line: line)
    }

    public var inputs: [String] { input.map { [$0] } ?? [] }
    public var layerSpec: LayerSpec { .reshape(self) }
}

/// `torch.flatten(x, startDim)`: `[N, C, H, W]` → `[N, C·H·W]` with the default `startDim: 1`.
public func Flatten(_ name: String, input: String? = nil, startDim: Int = 1, file: String = #filePath, line: Int = #line) -> Reshape {
    Reshape(name, input: input, target: .flatten(startDim: startDim), file: file, line: line)
}

/// Removes size-1 axes: the given ones, or all when `axes` is empty (TFLite's SQUEEZE).
public func Squeeze(_ name: String, input: String? = nil, axes: [Int] = [], file: String = #filePath, line: Int = #line) -> Reshape {
    Reshape(name, input: input, target: .squeeze(axes: axes), file: file, line: line)
}
