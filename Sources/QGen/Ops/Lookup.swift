/// An elementwise function of one int8 tensor that TFLite computes in fixed point: `Logistic(…)`
/// (TFLite's LOGISTIC, output scale 1/256 and zero point −128) and `Tanh(…)` (TANH, output scale
/// 1/128 and zero point 0). qgen evaluates TFLite's integer algorithm for all 256 input codes at
/// lowering; the C looks the result up.
public struct Lookup: OpSpec {
    public enum Function: String, Codable, Sendable { case logistic, tanh }

    public var function: Function
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
