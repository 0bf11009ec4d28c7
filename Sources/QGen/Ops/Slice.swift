/// Elements `start, start + step, …` below `end` of one axis, every other axis whole: PyTorch's
/// `x[:, a:b]`, `narrow`, `chunk` and `split`, ONNX's Slice and Split (one Slice per part), TFLite's
/// SLICE along one axis. It moves codes, so it is exact under every scheme; the quantization is
/// the input's.
public struct Slice: OpSpec {
    public var name: String
    /// The tensor it reads; nil reads the previous node's output.
    public var input: String?
    /// The axis it cuts; negative counts from the end.
    public var axis: Int
    /// The first index kept, in `0..<size`.
    public var start: Int
    /// One past the last index kept, in `start+1...size`.
    public var end: Int
    /// The distance between kept indices, ≥ 1.
    public var step: Int
    public var location: SourceLocation

    public init(_ name: String, input: String? = nil, axis: Int, start: Int, end: Int, step: Int = 1,
                file: String = #filePath, line: Int = #line) {
        self.name = name
        self.input = input
        self.axis = axis
        self.start = start
        self.end = end
        self.step = step
        self.location = SourceLocation(file: file, line: line)
    }

    public var inputs: [String] { input.map { [$0] } ?? [] }
    public var layerSpec: LayerSpec { .slice(self) }
}
