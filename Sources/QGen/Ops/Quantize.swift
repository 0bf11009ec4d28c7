/// Requantizes a tensor to another scale, zero point or integer type (TFLite's int8/uint8
/// QUANTIZE): `y = clamp(round(x − zp_in) · s_in / s_out) + zp_out)` in the scheme's fixed-point
/// arithmetic.
public struct Quantize: OpSpec {
    public var name: String
    /// The tensor it reads; nil reads the previous node's output.
    public var input: String?
    public var output: QuantParams
    public var location: SourceLocation

    public init(_ name: String, input: String? = nil, output: QuantParams, file: String = #filePath, line: Int = #line) {
        self.name = name
        self.input = input
        self.output = output
        self.location = SourceLocation(file: file, line: line)
    }

    public var inputs: [String] { input.map { [$0] } ?? [] }
    public var layerSpec: LayerSpec { .quantize(self) }
}
