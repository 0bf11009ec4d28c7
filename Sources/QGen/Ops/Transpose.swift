/// The same elements with their axes reordered: output axis `k` is input axis `permutation[k]`
/// (ONNX's and NumPy's `transpose`, TFLite's TRANSPOSE), e.g. `[0, 3, 1, 2]` turns NHWC data into
/// NCHW. It moves codes, so it is exact under every scheme; the quantization is the input's.
public struct Transpose: OpSpec {
    public var name: String
    /// The tensor it reads; nil reads the previous node's output.
    public var input: String?
    public var permutation: [Int]
    /// The layout of a 4-D result. nil: NCHW when the permutation is `[0, 3, 1, 2]` on NHWC data,
    /// NHWC when it is `[0, 2, 3, 1]` on NCHW data, otherwise the input's (NCHW when it has none).
    public var layout: Layout?
    public var location: SourceLocation

    public init(_ name: String, input: String? = nil, permutation: [Int], layout: Layout? = nil, file: String = #filePath, line: Int = #line) {
        self.name = name
        self.input = input
        self.permutation = permutation
        self.layout = layout
        self.location = SourceLocation(file: file, line: line)
    }

    public var inputs: [String] { input.map { [$0] } ?? [] }
    public var layerSpec: LayerSpec { .transpose(self) }
}
