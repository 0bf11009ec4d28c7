/// Elementwise sum of two tensors of the same shape, with a fused activation:
/// `y = activation(a + b)` in real terms, quantized to `output`. Both inputs and the output have
/// the same integer type. Under `tflite` (and the other fixed-point schemes) the arithmetic is
/// TFLite's int8 ADD: each input is rescaled to twice the larger input scale with 20 bits of
/// headroom, the two are summed, and the sum is rescaled to the output.
///
/// ```swift
/// Add("res1", "conv2", "x", output: .int8(scale: 0.12, zeroPoint: -128), activation: .relu)
/// ```
public struct Add: OpSpec {
    public var name: String
    /// The two tensors it sums, by the name of the Input or layer that makes them.
    public var inputs: [String]
    public var output: QuantParams
    public var activation: Activation
    /// `fbgemm` only: the inputs' memory formats in PyTorch (empty: both contiguous). ATen's
    /// elementwise loop runs in memory order, so its scalar tail is the last elements of NHWC order
    /// when both are channels-last, and every element takes the scalar path when they differ.
    public var memoryFormats: [MemoryFormat]
    public var location: SourceLocation

    public init(_ name: String, _ a: String, _ b: String, output: QuantParams, activation: Activation = .none,
                memoryFormats: [MemoryFormat] = [], file: String = #filePath, line: Int = #line) {
        self.name = name
        self.inputs = [a, b]
        self.output = output
        self.activation = activation
        self.memoryFormats = memoryFormats
        self.location = SourceLocation(file: file, line: line)
    }

    public var layerSpec: LayerSpec { .add(self) }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        inputs = try c.decode([String].self, forKey: .inputs)
        output = try c.decode(QuantParams.self, forKey: .output)
        activation = try c.decode(Activation.self, forKey: .activation)
        memoryFormats = try c.decodeIfPresent([MemoryFormat].self, forKey: .memoryFormats) ?? []
        location = try c.decode(SourceLocation.self, forKey: .location)
    }
}
