/// Joins tensors along `axis` (TFLite's CONCATENATION, `torch.cat`). All inputs have the same
/// shape except along `axis`, the same layout and the same integer type. An input whose
/// quantization differs from `output` is requantized as the scheme's engine does (TFLite's
/// QUANTIZE, PyTorch's `quantized::cat`, ONNX Runtime's QLinearConcat); `output: nil` takes the
/// inputs' common quantization.
///
/// ```swift
/// Concatenation("cat", ["branch1", "branch2"], axis: 1, output: .uint8(scale: 0.05, zeroPoint: 0),
///               memoryFormats: [.channelsLast, .channelsLast])
/// ```
public struct Concatenation: OpSpec {
    public var name: String
    public var inputs: [String]
    /// In the inputs' shape as written; negative counts from the end.
    public var axis: Int
    public var output: QuantParams?
    /// `fbgemm` and `qnnpack` only: each input's memory format in PyTorch (empty: all contiguous).
    /// When every input is a channels-last 4-D tensor joined along dimension 1, ATen runs its NHWC
    /// kernel, whose vector channels requantize with a fused multiply-add; otherwise it
    /// dequantizes, concatenates and quantizes. Other schemes ignore it.
    public var memoryFormats: [MemoryFormat]
    public var location: SourceLocation

    public init(_ name: String, _ inputs: [String], axis: Int, output: QuantParams? = nil, memoryFormats: [MemoryFormat] = [],
                file: String = #filePath, line: Int = #line) {
        self.name = name
        self.inputs = inputs
        self.axis = axis
        self.output = output
        self.memoryFormats = memoryFormats
        self.location = SourceLocation(file: file, line: line)
    }

    public var layerSpec: LayerSpec { .concatenation(self) }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        inputs = try c.decode([String].self, forKey: .inputs)
        axis = try c.decode(Int.self, forKey: .axis)
        output = try c.decodeIfPresent(QuantParams.self, forKey: .output)
        memoryFormats = try c.decodeIfPresent([MemoryFormat].self, forKey: .memoryFormats) ?? []
        location = try c.decode(SourceLocation.self, forKey: .location)
    }
}
