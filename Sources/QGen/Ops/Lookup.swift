/// An elementwise function of one int8 tensor that TFLite computes in integers: `Logistic(…)`
/// (TFLite's LOGISTIC, output scale 1/256 and zero point −128), `Tanh(…)` (TANH, 1/128 and 0),
/// `ReLU(…)`, `ReLU6(…)`, `LeakyReLU(…)` and `HardSwish(…)` (RELU, RELU6, LEAKY_RELU, HARD_SWISH). qgen evaluates TFLite's
/// integer algorithm for all 256 input codes at lowering; the C looks the result up.
public struct Lookup: OpSpec {
    public enum Function: String, Codable, Sendable { case logistic, tanh, relu, relu6, leakyRelu, hardSwish }

    public var function: Function
    /// LeakyReLU's slope for negative inputs (nil for the other functions).
    public var alpha: Double?
    public var name: String
    /// The tensor it reads; nil reads the previous node's output.
    public var input: String?
    /// nil: TFLite's fixed output quantization for the function.
    public var output: QuantParams?
    public var location: SourceLocation

    public init(_ function: Function, _ name: String, input: String? = nil, output: QuantParams? = nil, file: String = #filePath, line: Int = #line) {
        self.function = function
        self.name = name
        self.input = input
        self.output = output
        self.location = SourceLocation(file: file, line: line)
    }

    public var inputs: [String] { input.map { [$0] } ?? [] }
    public var layerSpec: LayerSpec { .lookup(self) }
}

/// `1 / (1 + exp(−x))`, TFLite's int8 LOGISTIC.
public func Logistic(_ name: String, input: String? = nil, output: QuantParams? = nil, file: String = #filePath, line: Int = #line) -> Lookup {
    Lookup(.logistic, name, input: input, output: output, file: file, line: line)
}

/// `tanh(x)`, TFLite's int8 TANH.
public func Tanh(_ name: String, input: String? = nil, output: QuantParams? = nil, file: String = #filePath, line: Int = #line) -> Lookup {
    Lookup(.tanh, name, input: input, output: output, file: file, line: line)
}

/// `max(x, 0)` as a layer, TFLite's RELU (which may also rescale to `output`; nil keeps the input's).
public func ReLU(_ name: String, input: String? = nil, output: QuantParams? = nil, file: String = #filePath, line: Int = #line) -> Lookup {
    Lookup(.relu, name, input: input, output: output, file: file, line: line)
}

/// `min(max(x, 0), 6)` as a layer, TFLite's RELU6. nil output keeps the input's quantization. TFLite
/// Micro clamps the input codes without rescaling even when the output's quantization differs (qgen
/// does the same under `tflite` and warns); LiteRT rescales (`liteRT`).
public func ReLU6(_ name: String, input: String? = nil, output: QuantParams? = nil, file: String = #filePath, line: Int = #line) -> Lookup {
    Lookup(.relu6, name, input: input, output: output, file: file, line: line)
}

/// `x · relu6(x + 3) / 6`, TFLite's int8 HARD_SWISH (nil output keeps the input's quantization).
public func HardSwish(_ name: String, input: String? = nil, output: QuantParams? = nil, file: String = #filePath, line: Int = #line) -> Lookup {
    Lookup(.hardSwish, name, input: input, output: output, file: file, line: line)
}

/// `x ≥ 0 ? x : alpha · x`, TFLite's LEAKY_RELU (alpha ≥ 0; nil output keeps the input's quantization).
public func LeakyReLU(_ name: String, input: String? = nil, alpha: Double, output: QuantParams? = nil, file: String = #filePath, line: Int = #line) -> Lookup {
    var op = Lookup(.leakyRelu, name, input: input, output: output, file: file, line: line)
    op.alpha = alpha
    return op
}
