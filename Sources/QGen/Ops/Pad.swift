/// Pads a tensor with its zero point (real 0), TFLite's PAD: `padding[i] = [before, after]` for each
/// axis, in the tensor's shape order. The quantization is the input's.
public struct Pad: OpSpec {
    public var name: String
    /// The tensor it reads; nil reads the previous node's output.
    public var input: String?
    public var padding: [[Int]]
    public var location: SourceLocation

    public init(_ name: String, input: String? = nil, padding: [[Int]], file: String = #filePath, line: Int = #line) {
        self.name = name
        self.input = input
        self.padding = padding
        self.location = SourceLocation(file: file, line: line)
    }

    public var inputs: [String] { input.map { [$0] } ?? [] }
    public var layerSpec: LayerSpec { .pad(self) }
}
