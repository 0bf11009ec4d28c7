/// An elementwise function of one 8-bit tensor: `Logistic(…)` (TFLite's LOGISTIC, output scale
/// 1/256 and zero point −128), `Tanh(…)` (TANH, 1/128 and 0), `ReLU(…)`, `ReLU6(…)`, `LeakyReLU(…)`
/// and `HardSwish(…)` (RELU, RELU6, LEAKY_RELU, HARD_SWISH), and `HardSigmoid(…)` (PyTorch's). qgen
/// evaluates the scheme's engine's arithmetic for all 256 input codes at lowering; the C looks the
/// result up (under fbgemm and qnnpack, in one of two tables where ATen's vector and scalar paths
/// differ).
public struct Lookup: OpSpec {
    public enum Function: String, Codable, Sendable { case logistic, tanh, relu, relu6, leakyRelu, hardSwish, hardSigmoid }

    public var function: Function
    /// LeakyReLU's slope for negative inputs (nil for the other functions).
    public var alpha: Double?
    public var name: String
    /// The tensor it reads; nil reads the previous node's output.
    public var input: String?
    /// nil: the stack's fixed output quantization for the function, or the input's.
    public var output: QuantParams?
    /// `fbgemm` and `qnnpack`: the input's memory format in PyTorch (empty: contiguous), which
    /// orders ATen's elementwise loop (MemoryFormat).
    public var memoryFormats: [MemoryFormat]
    public var location: SourceLocation

    public init(_ function: Function, _ name: String, input: String? = nil, output: QuantParams? = nil, memoryFormats: [MemoryFormat] = [],
                file: String = #filePath, line: Int = #line) {
        self.function = function
        self.name = name
        self.input = input
        self.output = output
        self.memoryFormats = memoryFormats
        self.location = SourceLocation(file: file, line: line)
    }

    public var inputs: [String] { input.map { [$0] } ?? [] }
    public var layerSpec: LayerSpec { .lookup(self) }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        function = try c.decode(Function.self, forKey: .function)
        alpha = try c.decodeIfPresent(Double.self, forKey: .alpha)
        name = try c.decode(String.self, forKey: .name)
        input = try c.decodeIfPresent(String.self, forKey: .input)
        output = try c.decodeIfPresent(QuantParams.self, forKey: .output)
        memoryFormats = try c.decodeIfPresent([MemoryFormat].self, forKey: .memoryFormats) ?? []
        location = try c.decode(SourceLocation.self, forKey: .location)
    }
}

/// `1 / (1 + exp(−x))`: TFLite's int8 LOGISTIC, ONNX Runtime's QLinearSigmoid, PyTorch's sigmoid
/// (whose paths follow `memoryFormats:`). nil `output` is the stack's fixed one: scale 1/256, zero
/// point −128 (int8) or 0 (uint8).
public func Logistic(_ name: String, input: String? = nil, output: QuantParams? = nil, memoryFormats: [MemoryFormat] = [],
                     file: String = #filePath, line: Int = #line) -> Lookup {
    Lookup(.logistic, name, input: input, output: output, memoryFormats: memoryFormats, file: file, line: line)
}

/// `tanh(x)`: TFLite's int8 TANH, PyTorch's tanh (whose paths follow `memoryFormats:`). nil
/// `output` is the stack's fixed one: scale 2/256, zero point 0 (int8) or 128 (uint8).
public func Tanh(_ name: String, input: String? = nil, output: QuantParams? = nil, memoryFormats: [MemoryFormat] = [],
                 file: String = #filePath, line: Int = #line) -> Lookup {
    Lookup(.tanh, name, input: input, output: output, memoryFormats: memoryFormats, file: file, line: line)
}

/// `max(x, 0)` as a layer, TFLite's RELU (which may also rescale to `output`; nil keeps the input's).
public func ReLU(_ name: String, input: String? = nil, output: QuantParams? = nil, memoryFormats: [MemoryFormat] = [],
                 file: String = #filePath, line: Int = #line) -> Lookup {
    Lookup(.relu, name, input: input, output: output, memoryFormats: memoryFormats, file: file, line: line)
}

/// `min(max(x, 0), 6)` as a layer, TFLite's RELU6. nil output keeps the input's quantization. TFLite
/// Micro clamps the input codes without rescaling even when the output's quantization differs (qgen
/// does the same under `tflite` and warns); LiteRT rescales (`liteRT`).
public func ReLU6(_ name: String, input: String? = nil, output: QuantParams? = nil, memoryFormats: [MemoryFormat] = [],
                 file: String = #filePath, line: Int = #line) -> Lookup {
    Lookup(.relu6, name, input: input, output: output, memoryFormats: memoryFormats, file: file, line: line)
}

/// `x · relu6(x + 3) / 6`, TFLite's int8 HARD_SWISH (nil output keeps the input's quantization).
public func HardSwish(_ name: String, input: String? = nil, output: QuantParams? = nil, memoryFormats: [MemoryFormat] = [],
                 file: String = #filePath, line: Int = #line) -> Lookup {
    Lookup(.hardSwish, name, input: input, output: output, memoryFormats: memoryFormats, file: file, line: line)
}

/// `x ≥ 0 ? x : alpha · x`, TFLite's LEAKY_RELU (alpha ≥ 0; nil output keeps the input's quantization).
public func LeakyReLU(_ name: String, input: String? = nil, alpha: Double, output: QuantParams? = nil, memoryFormats: [MemoryFormat] = [],
                      file: String = #filePath, line: Int = #line) -> Lookup {
    var op = Lookup(.leakyRelu, name, input: input, output: output, memoryFormats: memoryFormats, file: file, line: line)
    op.alpha = alpha
    return op
}

/// `relu6(x + 3) / 6`, PyTorch's quantized hardsigmoid (`fbgemm` and `qnnpack` only; TFLite has no
/// such op). Its output quantization is PyTorch's fixed one: scale 1/256 with zero point 0 (uint8)
/// or −128 (int8); nil takes it.
public func HardSigmoid(_ name: String, input: String? = nil, output: QuantParams? = nil, memoryFormats: [MemoryFormat] = [],
                        file: String = #filePath, line: Int = #line) -> Lookup {
    Lookup(.hardSigmoid, name, input: input, output: output, memoryFormats: memoryFormats, file: file, line: line)
}
