/// A model input tensor: its shape, layout and quantization. A 4-D shape is read in the declared
/// layout: `[N, C, H, W]` for `.nchw` (the default, PyTorch's), `[N, H, W, C]` for `.nhwc`
/// (TFLite's); vectors are `[N, features]`.
public struct Input: OpSpec {
    public var name: String
    public var shape: [Int]
    public var layout: Layout
    public var quant: QuantParams
    public var location: SourceLocation

    public init(_ name: String, shape: [Int], layout: Layout = .nchw, _ quant: QuantParams, file: String = #filePath, line: Int = #line) {
        self.name = name
        self.shape = shape
        self.layout = layout
        self.quant = quant
        self.location = SourceLocation(file: file, line: line)
    }

    public var inputs: [String] { [] }
    public var layerSpec: LayerSpec { .input(self) }
}
