/// The mean over `axes` (TFLite's MEAN; global average pooling is `Mean` over the spatial axes:
/// `[2, 3]` on NCHW, `[1, 2]` on NHWC). Axes count in the input's shape as written (negative ones
/// from the end) and must be adjacent. `keepDims` keeps each reduced axis with size 1.
public struct Mean: OpSpec {
    public var name: String
    /// The tensor it reads; nil reads the previous node's output.
    public var input: String?
    public var axes: [Int]
    public var keepDims: Bool
    public var output: QuantParams
    public var location: SourceLocation

    public init(_ name: String, input: String? = nil, axes: [Int], keepDims: Bool = true, output: QuantParams,
                file: String = #filePath, line: Int = #line) {
        self.name = name
        self.input = input
        self.axes = axes
        self.keepDims = keepDims
        self.output = output
        self.location = SourceLocation(file: file, line: line)
    }

    public var inputs: [String] { input.map { [$0] } ?? [] }
    public var layerSpec: LayerSpec { .mean(self) }
}
