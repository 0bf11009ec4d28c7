/// Joins tensors along `axis` (TFLite's CONCATENATION, `torch.cat`). All inputs have the same
/// shape except along `axis`, the same layout and the same integer type. An input whose
/// quantization differs from `output` is requantized as TFLite's QUANTIZE would; `output: nil`
/// takes the inputs' common quantization.
public struct Concatenation: OpSpec {
    public var name: String
    public var inputs: [String]
    /// In the inputs' shape as written; negative counts from the end.
    public var axis: Int
    public var output: QuantParams?
    public var location: SourceLocation

    public init(_ name: String, _ inputs: [String], axis: Int, output: QuantParams? = nil, file: String = #filePath, line: Int = #line) {
        self.name = name
        self.inputs = inputs
        self.axis = axis
        self.output = output
        self.location = SourceLocation(file: file, line: line)
    }

    public var layerSpec: LayerSpec { .concatenation(self) }
}
