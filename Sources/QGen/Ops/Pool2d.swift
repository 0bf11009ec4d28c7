/// 2-D max or average pooling over each channel, TFLite's MAX_POOL_2D / AVERAGE_POOL_2D: the
/// window counts only the input elements it covers (padding is neither a maximum candidate nor
/// part of an average's count). The output keeps the input's quantization (TFLite and PyTorch
/// require it); only ONNX Runtime's average (`onnxRuntime`) takes an `output:` of its own. Written
/// `MaxPool2d(…)` and `AvgPool2d(…)`; the average's options (`countIncludePad`, `divisor`,
/// `ceilMode`, `memoryFormats`) follow `torch.nn.AvgPool2d` and ONNX's AveragePool.
public struct Pool2d: OpSpec {
    public enum Kind: String, Codable, Sendable { case max, average }

    public var kind: Kind
    public var name: String
    /// The tensor it reads; nil reads the previous node's output.
    public var input: String?
    public var kernel: Size2
    /// Defaults to the kernel size (PyTorch's and Keras's default).
    public var stride: Size2
    public var padding: Padding
    public var activation: Activation
    /// Output sizes rounded up, PyTorch's `ceil_mode=True`
    /// (`ceil((H + 2p − k) / s) + 1`, less one when the last window would start past the input and
    /// its leading padding); the last window is clipped to the input.
    public var ceilMode: Bool
    /// Average pooling only: divide by the window's extent over the padded input (PyTorch's
    /// `count_include_pad=True`, its default) instead of the input elements it covers. The
    /// `fbgemm` and `qnnpack` schemes only.
    public var countIncludePad: Bool
    /// Average pooling only: divide every window by this instead (PyTorch's `divisor_override`).
    /// The `fbgemm` and `qnnpack` schemes only.
    public var divisor: Int?
    /// PyTorch's memory format of the input (one entry, or none for contiguous): under `fbgemm`
    /// and `qnnpack` it picks ATen's average pooling path (MemoryFormat.swift).
    public var memoryFormats: [MemoryFormat]
    /// Average pooling under `onnxRuntime` only: QLinearAveragePool's output quantization (nil: the
    /// input's).
    public var output: QuantParams?
    public var location: SourceLocation

    public init(_ kind: Kind, _ name: String, input: String? = nil, kernel: some Size2Convertible, stride: (any Size2Convertible)? = nil,
                padding: some PaddingConvertible = 0, activation: Activation = .none, ceilMode: Bool = false,
                countIncludePad: Bool = false, divisor: Int? = nil, memoryFormats: [MemoryFormat] = [], output: QuantParams? = nil,
                file: String = #filePath, line: Int = #line) {
        self.kind = kind
        self.name = name
        self.input = input
        self.kernel = kernel.size2
        self.stride = stride?.size2 ?? kernel.size2
        self.padding = padding.padding
        self.activation = activation
        self.ceilMode = ceilMode
        self.countIncludePad = countIncludePad
        self.divisor = divisor
        self.memoryFormats = memoryFormats
        self.output = output
        self.location = SourceLocation(file: file, line: line)
    }

    public var inputs: [String] { input.map { [$0] } ?? [] }
    public var layerSpec: LayerSpec { .pool2d(self) }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        kind = try c.decode(Kind.self, forKey: .kind)
        name = try c.decode(String.self, forKey: .name)
        input = try c.decodeIfPresent(String.self, forKey: .input)
        kernel = try c.decode(Size2.self, forKey: .kernel)
        stride = try c.decode(Size2.self, forKey: .stride)
        padding = try c.decode(Padding.self, forKey: .padding)
        activation = try c.decode(Activation.self, forKey: .activation)
        ceilMode = try c.decodeIfPresent(Bool.self, forKey: .ceilMode) ?? false
        countIncludePad = try c.decodeIfPresent(Bool.self, forKey: .countIncludePad) ?? false
        divisor = try c.decodeIfPresent(Int.self, forKey: .divisor)
        memoryFormats = try c.decodeIfPresent([MemoryFormat].self, forKey: .memoryFormats) ?? []
        output = try c.decodeIfPresent(QuantParams.self, forKey: .output)
        location = try c.decode(SourceLocation.self, forKey: .location)
    }
}

/// Max pooling (TFLite's MAX_POOL_2D): the largest code in each window. `ceilMode: true` rounds
/// output sizes up as PyTorch's `ceil_mode=True` does.
public func MaxPool2d(_ name: String, input: String? = nil, kernel: some Size2Convertible, stride: (any Size2Convertible)? = nil,
                      padding: some PaddingConvertible = 0, activation: Activation = .none, ceilMode: Bool = false,
                      file: String = #filePath, line: Int = #line) -> Pool2d {
    Pool2d(.max, name, input: input, kernel: kernel, stride: stride, padding: padding, activation: activation, ceilMode: ceilMode, file: file, line: line)
}

/// Average pooling: the sum of the codes in each window divided by their count. TFLite's
/// AVERAGE_POOL_2D rounds half away from zero; under `fbgemm` and `qnnpack` it is PyTorch's
/// quantized `avg_pool2d`, whose options these are: `ceilMode` (`ceil_mode`), `countIncludePad`
/// (`count_include_pad`; PyTorch's default is true, qgen's false as in TFLite), `divisor`
/// (`divisor_override`) and the input's `memoryFormats` (which of ATen's kernels runs). Under
/// `onnxRuntime` it is ONNX Runtime's QLinearAveragePool (`ceilMode`, `countIncludePad` and an
/// `output:` quantization of its own).
public func AvgPool2d(_ name: String, input: String? = nil, kernel: some Size2Convertible, stride: (any Size2Convertible)? = nil,
                      padding: some PaddingConvertible = 0, activation: Activation = .none, ceilMode: Bool = false,
                      countIncludePad: Bool = false, divisor: Int? = nil, memoryFormats: [MemoryFormat] = [], output: QuantParams? = nil,
                      file: String = #filePath, line: Int = #line) -> Pool2d {
    Pool2d(.average, name, input: input, kernel: kernel, stride: stride, padding: padding, activation: activation, ceilMode: ceilMode,
           countIncludePad: countIncludePad, divisor: divisor, memoryFormats: memoryFormats, output: output, file: file, line: line)
}
