/// `a − b`, TFLite's SUB: Add's algorithm with the second input's rescaled value subtracted
/// (TFLite Micro computes its multipliers in float32).
public struct Sub: OpSpec {
    public var name: String
    public var inputs: [String]
    public var output: QuantParams
    public var activation: Activation
    public var location: SourceLocation

    public init(_ name: String, _ a: String, _ b: String, output: QuantParams, activation: Activation = .none,
                file: String = #filePath, line: Int = #line) {
        self.name = name
        self.inputs = [a, b]
        self.output = output
        self.activation = activation
        self.location = SourceLocation(file: file, line: line)
    }

    public var layerSpec: LayerSpec { .sub(self) }
}

/// `a · b` elementwise, TFLite's MUL: `y = zp_out + R((a − zp_a)(b − zp_b), s_a·s_b/s_out)`.
/// The inputs broadcast (one rank, each axis equal or 1), so a `[1, C, 1, 1]` gate scales a
/// `[1, C, H, W]` tensor per channel.
public struct Mul: OpSpec {
    public var name: String
    public var inputs: [String]
    public var output: QuantParams
    public var activation: Activation
    public var location: SourceLocation

    public init(_ name: String, _ a: String, _ b: String, output: QuantParams, activation: Activation = .none,
                file: String = #filePath, line: Int = #line) {
        self.name = name
        self.inputs = [a, b]
        self.output = output
        self.activation = activation
        self.location = SourceLocation(file: file, line: line)
    }

    public var layerSpec: LayerSpec { .mul(self) }
}
