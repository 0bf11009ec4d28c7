/// Softmax over the last axis, TFLite's int8 SOFTMAX: `y = exp(β·x) / Σ exp(β·x)` in gemmlowp's
/// fixed point. The output quantization is TFLite's: scale 1/256 with zero point −128 (int8) or 0
/// (uint8), the default. Under `onnxRuntime` it is ONNX Runtime's QLinearSoftmax (binary32, any
/// output quantization of the input's type, β = 1). Under `fbgemm` and `qnnpack` it is PyTorch's
/// quantized softmax: QNNPACK's integer kernel (`qnnpack`, uint8, output 1/256 and 0) or ATen's
/// float path in binary32 (any output of the input's type, β = 1).
public struct Softmax: OpSpec {
    public var name: String
    /// The tensor it reads; nil reads the previous node's output.
    public var input: String?
    public var beta: Double
    public var output: QuantParams?
    public var location: SourceLocation

    public init(_ name: String, input: String? = nil, beta: Double = 1, output: QuantParams? = nil, file: String = #filePath, line: Int = #line) {
        self.name = name
        self.input = input
        self.beta = beta
        self.output = output
        self.location = SourceLocation(file: file, line: line)
    }

    public var inputs: [String] { input.map { [$0] } ?? [] }
    public var layerSpec: LayerSpec { .softmax(self) }
}
